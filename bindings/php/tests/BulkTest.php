<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Exception\CancelledException;
use Caffesta\Exception\InvalidArgumentException;
use Caffesta\Exception\PartialException;
use Caffesta\Exception\StatusException;
use Caffesta\Tests\Support\EmulatorTestCase;

/**
 * upsertProducts(): every item accounted for, in input order, none written twice, progress between
 * chunks, monotone and ending at the total (as Tests/c/test_bulk.c does for the C call).
 */
final class BulkTest extends EmulatorTestCase
{
    private const PRODUCT_PATH = '/a/v1.0/product/';

    /** The products of the emulator's seed. */
    private int $seed;

    protected function setUp(): void
    {
        parent::setUp();
        $this->seed = $this->emulator->stats()['products'];
    }

    /** @return list<array<string, mixed>> */
    private static function batch(string $prefix, int $count): array
    {
        $items = [];
        for ($i = 0; $i < $count; $i++) {
            $items[] = self::product(sprintf('%s-%05d', $prefix, $i), "Товар $i", 1.0 + $i / 100);
        }
        return $items;
    }

    /** Runs the batch; checks the report's length and order and the progress calls; returns the report. */
    private function runBatch(array $items, int $concurrency, ?array &$progress = null): array
    {
        $progress = [];
        $report = $this->client()->upsertProducts($items, $concurrency, function (int $done, int $total) use (&$progress): void {
            $progress[] = [$done, $total];
        });
        $this->assertTrue(array_is_list($report));
        $this->assertCount(count($items), $report);
        foreach (array_values($items) as $i => $item) {
            if (is_array($item) && is_string($item['ref_code'] ?? null)) {
                $this->assertSame($item['ref_code'], $report[$i]['ref_code'], "report entry $i is not item $i");
            }
            $this->assertContains($report[$i]['action'], ['created', 'updated', 'failed']);
        }
        $chunk = max(4 * $concurrency, 64);
        $this->assertCount((int) ceil(count($items) / $chunk), $progress);
        $previous = 0;
        foreach ($progress as [$done, $total]) {
            $this->assertSame(count($items), $total);
            $this->assertGreaterThan($previous, $done);
            $this->assertLessThanOrEqual($chunk, $done - $previous);
            $previous = $done;
        }
        $this->assertSame(count($items), $previous);
        return $report;
    }

    private static function actions(array $report): array
    {
        $counts = array_count_values(array_column($report, 'action'));
        ksort($counts);
        return $counts;
    }

    public function testCreatesThenUpdates(): void
    {
        $before = $this->seed;
        $items = self::batch('bulk', 300);
        $report = $this->runBatch($items, 1);
        $this->assertSame(['created' => 300], self::actions($report));
        $this->assertSame($before + 300, $this->emulator->stats()['products']);
        $this->assertIsInt($report[0]['id']);
        $this->assertSame(300, count(array_unique(array_column($report, 'id'))));

        $again = $this->runBatch($items, 64);
        $this->assertSame(['updated' => 300], self::actions($again));
        $this->assertSame(array_column($report, 'id'), array_column($again, 'id'));
        $this->assertSame($before + 300, $this->emulator->stats()['products']);
        $this->assertSame('Товар 299', $this->client()->getProduct('bulk-00299')['name']);
    }

    public function testFaultsAreReportedNeverDroppedOrRepeated(): void
    {
        $before = $this->seed;
        $items = self::batch('fault', 2000);
        // Item 10: two 503s on its PUT, then success after the retries.
        $this->emulator->fault(['kind' => 'status', 'status' => 503, 'count' => 2, 'method' => 'PUT',
            'path_prefix' => '/a/v1.0/product/by_ref_code/fault-00010']);
        // Item 20: a 500 on its PUT: not retried, reported.
        $this->emulator->fault(['kind' => 'status', 'status' => 500, 'count' => 1, 'method' => 'PUT',
            'path_prefix' => '/a/v1.0/product/by_ref_code/fault-00020']);
        // Item 1234 (a later chunk): a 500 too.
        $this->emulator->fault(['kind' => 'status', 'status' => 500, 'count' => 1, 'method' => 'PUT',
            'path_prefix' => '/a/v1.0/product/by_ref_code/fault-01234']);
        // Some item's POST is applied and the connection dropped: a network error, never resent.
        $this->emulator->fault(['kind' => 'apply_then_close', 'method' => 'POST', 'count' => 1, 'path_prefix' => self::PRODUCT_PATH]);
        // Items that are not products fail alone, without a request.
        $items[30] = 'not a product';
        $items[40]['ref_code'] = '';
        $items[1500] = ['name' => 'no ref_code'];

        $report = $this->runBatch($items, 8);

        $this->assertSame(['created' => 1994, 'failed' => 6], self::actions($report));
        $this->assertSame('created', $report[10]['action']);
        foreach ([20, 1234] as $i) {
            $this->assertSame(['fault-' . sprintf('%05d', $i), 'failed', 'CAFFESTA_ERR_SERVER', 500],
                [$report[$i]['ref_code'], $report[$i]['action'], $report[$i]['status'], $report[$i]['http_status']]);
            $this->assertStringContainsString('HTTP 500', $report[$i]['message']);
        }
        $this->assertSame([null, 'CAFFESTA_ERR_INVALID_ARGUMENT'], [$report[30]['ref_code'], $report[30]['status']]);
        $this->assertStringStartsWith('item 30: ', $report[30]['message']);
        $this->assertSame(['', 'CAFFESTA_ERR_INVALID_ARGUMENT'], [$report[40]['ref_code'], $report[40]['status']]);
        $this->assertSame('CAFFESTA_ERR_INVALID_ARGUMENT', $report[1500]['status']);
        $this->assertStringStartsWith('item 1500: ', $report[1500]['message']); // numbered in the batch, not the chunk
        $network = array_keys(array_filter($report, static fn (array $e): bool => ($e['status'] ?? '') === 'CAFFESTA_ERR_NETWORK'));
        $this->assertCount(1, $network);
        $this->assertArrayNotHasKey('http_status', $report[$network[0]]);

        // The dropped POST was applied once and never sent again: one POST per created item, plus that one.
        $this->assertSame($before + 1995, $this->emulator->stats()['products']);
        $log = $this->apiRequests();
        $this->assertCount(3, array_filter($log, static fn (array $r): bool => $r['method'] === 'PUT'
            && $r['path'] === '/a/v1.0/product/by_ref_code/fault-00010')); // two 503s, then the retry that went through
        $posts = array_values(array_filter($log, static fn (array $r): bool => $r['method'] === 'POST'));
        $this->assertCount(1995, $posts);
        $posted = array_map(static fn (array $r): string => json_decode($r['body'], true)['ref_code'], $posts);
        $this->assertCount(1995, array_unique($posted));
        $this->assertContains($report[$network[0]]['ref_code'], $posted);
        foreach ([30, 40, 1500] as $i) {
            $this->assertNotContains($report[$i]['ref_code'] ?? '-', $posted);
        }
    }

    public function testAProgressCallbackThatThrowsStopsTheBatch(): void
    {
        $client = $this->client();
        $calls = 0;
        try {
            $client->upsertProducts(self::batch('stop', 300), 4, function () use (&$calls): void {
                $calls++;
                throw new \RuntimeException('cancelled');
            });
            $this->fail('the exception of progress was lost');
        } catch (\RuntimeException $e) {
            $this->assertSame('cancelled', $e->getMessage());
            // It comes out as CancelledException with the report, the closure's exception inside.
            $this->assertInstanceOf(CancelledException::class, $e);
            $this->assertInstanceOf(\RuntimeException::class, $e->getPrevious());
            $this->assertCount(300, $e->getReport());
        }
        $this->assertSame(1, $calls);
        $this->assertSame(64, $this->emulator->stats()['products'] - $this->seed); // the first chunk only
    }

    public function testKeysAreIgnoredAndTheReportIsAList(): void
    {
        $report = $this->client()->upsertProducts(['b' => self::product('keyed-b'), 'a' => self::product('keyed-a')]);
        $this->assertSame(['keyed-b', 'keyed-a'], array_column($report, 'ref_code'));
        $this->assertSame([0, 1], array_keys($report));
    }

    public function testAnEmptyBatchSendsNothing(): void
    {
        $calls = 0;
        $this->assertSame([], $this->client()->upsertProducts([], 8, function () use (&$calls): void {
            $calls++;
        }));
        $this->assertSame(0, $calls);
        $this->assertSame([], $this->apiRequests());
    }

    /** @dataProvider badBatches */
    public function testBadBatchesAreRefusedBeforeAnyRequest(array $products, int $concurrency, string $message): void
    {
        try {
            $this->client()->upsertProducts($products, $concurrency);
            $this->fail('no InvalidArgumentException');
        } catch (InvalidArgumentException $e) {
            $this->assertStringContainsString($message, $e->getMessage());
        }
        $this->assertSame([], $this->apiRequests());
        $this->assertSame(0, $this->emulator->stats()['products'] - $this->seed);
    }

    public function badBatches(): array
    {
        $good = [self::product('bad-1'), self::product('bad-2')];
        return [
            'concurrency 0' => [$good, 0, 'concurrency must be 1 to 64'],
            'concurrency 65' => [$good, 65, 'concurrency must be 1 to 64'],
            'concurrency past C int' => [$good, (1 << 32) + 8, 'concurrency must be 1 to 64'],
            'concurrency 0, no products' => [[], 0, 'concurrency must be 1 to 64'],
            'a product that is not UTF-8' => [[...$good, ['ref_code' => "caf\xe9"]], 4, 'products[2] cannot be encoded as JSON'],
            'a keyed product that is NaN' => [['x' => self::product('nan'), 'y' => ['ref_code' => 'y', 'price' => NAN]], 4, 'products[y]'],
        ];
    }

    public function testThePartialStatusHasItsClass(): void
    {
        $e = StatusException::fromStatus(14, '4 items failed');
        $this->assertInstanceOf(PartialException::class, $e);
        $this->assertSame('CAFFESTA_ERR_PARTIAL', $e->getStatus());
        // A batch where every item fails is still a report, not an exception.
        $report = $this->client()->upsertProducts([['name' => 'x'], 'y']);
        $this->assertSame(['failed', 'failed'], array_column($report, 'action'));
    }
}
