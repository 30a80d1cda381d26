<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\Exception\ApiException;
use Caffesta\Exception\InvalidArgumentException;
use Caffesta\Exception\NotFoundException;
use Caffesta\Tests\Support\EmulatorTestCase;

/**
 * No growth over many calls: neither PHP's heap (memory_get_usage), nor the C heap (mallinfo2), nor the
 * process's RSS (/proc/self/status); the last two hold what the library allocates (the char* outputs,
 * clients, error messages). A missing caffesta_string_free or caffesta_client_free fails them.
 */
final class MemoryTest extends EmulatorTestCase
{
    private static function rssKb(): int
    {
        preg_match('/^VmRSS:\s+(\d+) kB/m', (string) file_get_contents('/proc/self/status'), $m);
        return (int) $m[1];
    }

    /** Bytes in use in the C heap (glibc's mallinfo2), where the library allocates; 0 without glibc. */
    private static function mallocBytes(): int
    {
        static $libc = false;
        if ($libc === false) {
            try {
                $libc = \FFI::cdef('struct mallinfo2 { size_t arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks,
                    uordblks, fordblks, keepcost; }; struct mallinfo2 mallinfo2(void);', 'libc.so.6');
            } catch (\FFI\Exception) {
                $libc = null;
            }
        }
        return $libc === null ? 0 : $libc->mallinfo2()->uordblks + $libc->mallinfo2()->hblkhd;
    }

    /**
     * Runs $round $times after a warm-up; returns the growth of PHP's heap (bytes), of the C heap
     * (bytes) and of the RSS (kB).
     */
    private static function growth(int $warmUp, int $times, callable $round): array
    {
        for ($i = 0; $i < $warmUp; $i++) {
            $round($i);
        }
        gc_collect_cycles();
        [$heap, $malloc, $rss] = [memory_get_usage(), self::mallocBytes(), self::rssKb()];
        for ($i = 0; $i < $times; $i++) {
            $round($i);
        }
        gc_collect_cycles();
        return [memory_get_usage() - $heap, self::mallocBytes() - $malloc, self::rssKb() - $rss];
    }

    private function assertNoGrowth(array $growth): void
    {
        [$heap, $malloc, $rss] = $growth;
        $this->assertLessThan(64 * 1024, $heap, "PHP heap grew by $heap bytes");
        $this->assertLessThan(32 * 1024, $malloc, "the C heap grew by $malloc bytes");
        $this->assertLessThan(1024, $rss, "RSS grew by $rss kB");
    }

    public function testFastFailingCallsDoNotGrow(): void
    {
        $client = $this->client();
        $noRefCode = ['name' => 'Латте', 'prices' => [['price' => 1.5]]];
        $growth = self::growth(5_000, 100_000, static function (int $i) use ($client, $noRefCode): void {
            try {
                match ($i % 4) {
                    0, 1 => $client->upsertProduct($noRefCode),          // refused by the library
                    2 => $client->request('GET', '//evil.example/'),     // refused by the library
                    3 => $client->request('GET', "/a\0b"),               // refused by the binding
                };
            } catch (InvalidArgumentException) {
            }
        });
        $this->assertSame([], $this->apiRequests());
        $this->assertNoGrowth($growth);
    }

    public function testRealCallsDoNotGrow(): void
    {
        $client = $this->client(['max_retries' => 0]);
        $product = self::product('mem-0');
        $growth = self::growth(300, 3_000, static function (int $i) use ($client, $product): void {
            $product['ref_code'] = 'mem-' . (intdiv($i, 6) % 20);
            match ($i % 6) {
                0 => $client->authTest(),
                1 => $client->upsertProduct($product),           // a PUT, and a POST when new
                2, 3 => $client->request('GET', '/a/v1.0/product/by_ref_code/' . $product['ref_code']),
                4 => $client->request('GET', '/a/v1.0/draft/storages'),
                5 => self::expect(NotFoundException::class, fn () => $client->request('GET', '/a/v1.0/none')),
            };
        });
        $this->assertNoGrowth($growth);
    }

    public function testNamedAndBulkCallsDoNotGrow(): void
    {
        $client = $this->client(['max_retries' => 0]);
        $batch = [self::product('mem-bulk-0'), ['name' => 'no ref_code'], 'not a product'];  // CAFFESTA_ERR_PARTIAL
        // A long warm-up: the C heap grows over the first few thousand calls and then levels off
        // (syncChanges: +40 KB by call 6 000, then flat to call 24 000): caches, not a leak.
        $growth = self::growth(3_000, 1_500, static function (int $i) use ($client, $batch): void {
            match ($i % 10) {
                0 => $client->listStorages(),
                1 => $client->getStorageStock(1),
                2 => $client->getProduct('12345'),
                3 => self::expect(NotFoundException::class, fn () => $client->getInvoice(987654)),
                4 => self::expect(InvalidArgumentException::class, fn () => $client->createMove(['items' => [['' => 1]]])),
                5 => $client->getProductsPage(2),
                6 => $client->syncChanges(2, ['products' => 1]),
                7 => $client->upsertProducts($batch, 2),                // the report of a partial batch is freed too
                8 => $client->getSalesByPos(shiftDay: '2022-04-20'),
                9 => iterator_to_array($client->iterateProducts(2)),
            };
        });
        $this->assertNoGrowth($growth);
    }

    public function testClientsAndApiErrorsDoNotGrow(): void
    {
        $url = $this->emulator->url();
        $noName = self::product('mem-api');
        unset($noName['name']);
        $growth = self::growth(100, 1_000, static function (int $i) use ($url, $noName): void {
            $client = new Client('demo', 'key-' . $i, ['base_url' => $url, 'timeout_ms' => 5000]);
            if ($i % 2 === 0) {
                $client->close();
                return;                                           // the rest are freed by __destruct
            }
            self::expect(ApiException::class, fn () => (new Client('demo', \Caffesta\Tests\Support\Emulator::API_KEY,
                ['base_url' => $url]))->upsertProduct($noName));
        });
        $this->assertNoGrowth($growth);
    }

    private static function expect(string $class, callable $call): void
    {
        try {
            $call();
        } catch (\Throwable $e) {
            if ($e instanceof $class) {
                return;
            }
            throw $e;
        }
        throw new \LogicException("no $class");
    }
}
