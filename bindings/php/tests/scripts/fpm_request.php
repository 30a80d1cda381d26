<?php

declare(strict_types=1);

// Served by php-fpm in tests/FpmTest.php, with the binding preloaded and no autoloader here.
//   ?url=BASE_URL&key=API_KEY

use Caffesta\Client;
use Caffesta\Library;

$url = (string) ($_GET['url'] ?? '');
$key = (string) ($_GET['key'] ?? '');
$out = ['sapi' => PHP_SAPI, 'ffi.enable' => ini_get('ffi.enable'), 'preloaded' => class_exists(Client::class, false)];
try {
    $client = new Client('demo', $key, ['base_url' => $url, 'max_retries' => 0]);
    $client->authTest();
    $out['upsert'] = $client->upsertProduct(['ref_code' => 'fpm/1', 'name' => 'Из php-fpm', 'caf_tax_id' => 1,
        'category_ref_code' => 'c', 'workspace_ref_code' => 'w'])['action'];
    $out['mode'] = Library::mode();
} catch (Throwable $e) {
    $out['error'] = get_class($e) . ': ' . $e->getMessage();
}
try {
    FFI::cdef('int abs(int);');     // not preloaded code: ffi.enable=preload must refuse this
    $out['ffi_outside_preload'] = 'allowed';
} catch (FFI\Exception $e) {
    $out['ffi_outside_preload'] = $e->getMessage();
}
header('Content-Type: application/json');
echo json_encode($out);
