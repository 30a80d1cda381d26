<?php
// An "admin save" page of a shop on php-fpm: one product upsert to Caffesta, made as the shop
// would make it, timed from before its client is made to after the answer (what the upsert adds
// to the page). bench/fpm/run.py requests it through nginx and sets the pool's env[BENCH_*].
//   ?mode=new         a Caffesta\Client per request (the binding before persistent clients)
//   ?mode=persistent  'persistent' => true: the worker's connection carries over
//   ?mode=guzzle      a GuzzleHttp\Client per request (Debian's php-guzzlehttp-guzzle), the same PUT
//   &direct=1         to nginx itself, without the relay's delay: the client's and server's own time
// Prints {"ms", "id", "reused"}; a failure is HTTP 500 with its message.
declare(strict_types=1);

$product = ['ref_code' => 'admin-save', 'name' => 'Латте (сохранено в админке)', 'measure' => 'pcs',
    'cancellation_type' => 0, 'for_sale' => true, 'use_discounts' => true, 'type' => 'product', 'caf_tax_id' => 1,
    'category_ref_code' => 'coffee', 'workspace_ref_code' => 'bar',
    'prices' => [['caf_shop_id' => 2, 'caf_storage_id' => 1, 'price' => 4.5, 'self_cost' => 1.2]]];
$base = (string) getenv(($_GET['direct'] ?? '') === '1' ? 'BENCH_DIRECT_URL' : 'BENCH_BASE_URL');
$key = (string) getenv('BENCH_KEY');
$ca = (string) getenv('BENCH_CA_FILE');
$mode = $_GET['mode'] ?? '';
$reused = null;
try {
    $start = hrtime(true);
    if ($mode === 'new' || $mode === 'persistent') {
        $client = new Caffesta\Client('bench', $key, ['base_url' => $base, 'ca_file' => $ca,
            'persistent' => $mode === 'persistent']);
        $id = $client->upsertProduct($product)['id'];
        $reused = $client->isReused();
    } elseif ($mode === 'guzzle') {
        require_once '/usr/share/php/GuzzleHttp/autoload.php';
        $guzzle = new GuzzleHttp\Client(['base_uri' => $base, 'verify' => $ca, 'timeout' => 60]);
        $answer = $guzzle->put('/a/v1.0/product/by_ref_code/' . rawurlencode($product['ref_code']),
            ['json' => $product, 'headers' => ['X-API-KEY' => $key, 'Accept' => 'application/json']]);
        $data = json_decode((string) $answer->getBody(), true, 512, JSON_THROW_ON_ERROR);
        if (($data['success'] ?? false) !== true) {
            throw new RuntimeException('the answer is not a success: ' . $answer->getBody());
        }
        $id = $data['data']['id'];
    } else {
        throw new InvalidArgumentException("mode must be new, persistent or guzzle, not $mode");
    }
    $ms = (hrtime(true) - $start) / 1e6;
    header('Content-Type: application/json');
    echo json_encode(['ms' => $ms, 'id' => $id, 'reused' => $reused]);
} catch (Throwable $e) {
    http_response_code(500);
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
