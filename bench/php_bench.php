<?php
// The PHP binding against what a PHP shop would write without it: the curl extension.
//   php php_bench.php BASE_URL KEY lib-seq N        Client->upsertProduct, one after the other
//   php php_bench.php BASE_URL KEY lib-many N C     Client->upsertProducts($items, C), when the binding has it
//   php php_bench.php BASE_URL KEY curl-seq N       curl_exec PUT of json_encode, json_decode of the answer
// 20 unmeasured calls first, then N measured ones; prints {"ms", "cpu_ms", "items", "distinct_ids"}.
declare(strict_types=1);

require __DIR__ . '/../bindings/php/autoload.php';

function product(int $i): array
{
    return ['ref_code' => "bench-$i", 'cancellation_type' => 0, 'for_sale' => true,
        'name' => "Bench product $i", 'measure' => 'pcs', 'barcode' => '', 'country' => '',
        'use_discounts' => true, 'type' => 'product', 'weight_in_gram' => null, 'caf_tax_id' => 1,
        'category_ref_code' => 'cat2', 'workspace_ref_code' => 'ws111',
        'prices' => [['caf_shop_id' => 2, 'caf_storage_id' => 1, 'price' => 0.6, 'self_cost' => 0.3]]];
}

function cpu_ms(): float
{
    $u = getrusage();
    return ($u['ru_utime.tv_sec'] + $u['ru_stime.tv_sec']) * 1e3 + ($u['ru_utime.tv_usec'] + $u['ru_stime.tv_usec']) / 1e3;
}

[, $base, $key, $mode, $n] = $argv;
$n = (int)$n;
$ids = [];

if ($mode === 'lib-seq' || $mode === 'lib-many') {
    $client = new Caffesta\Client('bench', $key, ['base_url' => $base, 'max_retries' => 0]);
    if ($mode === 'lib-seq') {
        $run = function (int $count) use ($client, &$ids): void {
            for ($i = 0; $i < $count; $i++) {
                $ids[$client->upsertProduct(product($i))['id']] = true;
            }
        };
    } else {
        if (!method_exists($client, 'upsertProducts')) {
            echo json_encode(['skipped' => 'this PHP binding has no upsertProducts']), "\n";
            exit(0);
        }
        $concurrency = (int)$argv[5];
        $run = function (int $count) use ($client, $concurrency, &$ids): void {
            $items = [];
            for ($i = 0; $i < $count; $i++) {
                $items[] = product($i);
            }
            foreach ($client->upsertProducts($items, $concurrency) as $entry) {
                if ($entry['action'] === 'failed') {
                    fwrite(STDERR, 'bench: ' . json_encode($entry) . "\n");
                    exit(1);
                }
                $ids[$entry['id']] = true;
            }
        };
    }
} elseif ($mode === 'curl-seq') {
    $curl = curl_init();
    curl_setopt_array($curl, [
        CURLOPT_CUSTOMREQUEST => 'PUT',
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_HTTPHEADER => ["X-API-KEY: $key", 'Content-Type: application/json', 'Accept: application/json', 'Expect:'],
    ]);
    $run = function (int $count) use ($curl, $base, &$ids): void {
        for ($i = 0; $i < $count; $i++) {
            $item = product($i);
            curl_setopt($curl, CURLOPT_URL, "$base/a/v1.0/product/by_ref_code/" . rawurlencode($item['ref_code']));
            curl_setopt($curl, CURLOPT_POSTFIELDS, json_encode($item, JSON_THROW_ON_ERROR));
            $text = curl_exec($curl);
            if ($text === false || curl_getinfo($curl, CURLINFO_RESPONSE_CODE) !== 200) {
                fwrite(STDERR, 'bench: ' . curl_error($curl) . "\n");
                exit(1);
            }
            $answer = json_decode($text, true, 512, JSON_THROW_ON_ERROR);
            if (($answer['success'] ?? null) !== true || !is_int($answer['data']['id'] ?? null)) {
                fwrite(STDERR, "bench: $text\n");
                exit(1);
            }
            $ids[$answer['data']['id']] = true;
        }
    };
} else {
    fwrite(STDERR, "bench: unknown mode $mode\n");
    exit(2);
}

$run(20);
$ids = [];
$start = hrtime(true);
$cpu = cpu_ms();
$run($n);
$ms = (hrtime(true) - $start) / 1e6;
echo json_encode(['ms' => round($ms, 3), 'cpu_ms' => round(cpu_ms() - $cpu, 3), 'items' => $n,
    'distinct_ids' => count($ids)]), "\n";
