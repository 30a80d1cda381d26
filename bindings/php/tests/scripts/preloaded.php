<?php

declare(strict_types=1);

// Run under opcache.preload=bindings/php/preload.php (tests/PreloadTest.php): no autoloader here, so
// every class comes from the preload, and the library from FFI::scope('caffesta').
//   php ... preloaded.php BASE_URL API_KEY

use Caffesta\Client;
use Caffesta\Exception\AuthenticationException;
use Caffesta\Library;

$out = ['preloaded' => class_exists(Client::class, false) && class_exists(AuthenticationException::class, false)];
$client = new Client('demo', $argv[2], ['base_url' => $argv[1], 'max_retries' => 0]);
$client->authTest();
$out['mode'] = Library::mode();
$out['upsert'] = $client->upsertProduct(['ref_code' => 'preloaded', 'name' => 'Предзагрузка', 'caf_tax_id' => 1,
    'category_ref_code' => 'c', 'workspace_ref_code' => 'w'])['action'];
try {
    (new Client('demo', 'wrong-key', ['base_url' => $argv[1]]))->authTest();
} catch (AuthenticationException $e) {
    $out['wrong_key'] = $e->getStatus();
}
echo json_encode($out);
