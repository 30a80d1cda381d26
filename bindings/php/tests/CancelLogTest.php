<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Exception\CancelledException;
use Caffesta\Exception\InvalidArgumentException;
use Caffesta\Tests\Support\Emulator;
use Caffesta\Tests\Support\EmulatorTestCase;

/**
 * Stopping upsertProducts() (a throwing progress closure, cancel() from a pcntl signal handler)
 * and the request log ('logger' => a PSR-3 style object or a closure).
 */
final class CancelLogTest extends EmulatorTestCase
{
    private const BY_REF = '/a/v1.0/product/by_ref_code/';

    /** @return list<array<string, mixed>> */
    private static function batch(string $prefix, int $count): array
    {
        $items = [];
        for ($i = 0; $i < $count; $i++) {
            $items[] = self::product(sprintf('%s-%03d', $prefix, $i));
        }
        return $items;
    }

    /** ref_codes the emulator received any request for (a PUT by its path, a POST by its body). */
    private function sentRefCodes(): array
    {
        $sent = [];
        foreach ($this->apiRequests() as $request) {
            if (str_starts_with($request['path'], self::BY_REF)) {
                $sent[substr($request['path'], strlen(self::BY_REF))] = true;
            } elseif ($request['method'] === 'POST') {
                $sent[json_decode($request['body'], true)['ref_code'] ?? ''] = true;
            }
        }
        return $sent;
    }

    /** Every product once, in order; those cancelled never sent, the others written. */
    private function assertStopped(array $items, array $report, int $written): void
    {
        $this->assertSame(array_column($items, 'ref_code'), array_column($report, 'ref_code'));
        $sent = $this->sentRefCodes();
        foreach ($report as $i => $entry) {
            if ($i < $written) {
                $this->assertSame('created', $entry['action']);
                $this->assertArrayHasKey($entry['ref_code'], $sent);
            } else {
                $this->assertSame(['ref_code' => $items[$i]['ref_code'], 'action' => 'cancelled'], $entry);
                $this->assertArrayNotHasKey($entry['ref_code'], $sent, "{$entry['ref_code']} was cancelled and sent");
            }
        }
    }

    public function testAThrowingProgressClosureStopsAfterTheChunkInFlight(): void
    {
        $client = $this->client();
        $items = self::batch('throw', 300);
        $calls = 0;
        try {
            $client->upsertProducts($items, 4, function (int $done, int $total) use (&$calls): void {
                $calls++;
                throw new \RuntimeException("enough at $done of $total");
            });
            $this->fail('no CancelledException');
        } catch (CancelledException $e) {
            $this->assertSame('CAFFESTA_ERR_CANCELLED', $e->getStatus());
            $this->assertSame(16, $e->getCode());
            $this->assertInstanceOf(\RuntimeException::class, $e->getPrevious());
            $this->assertSame('enough at 64 of 300', $e->getPrevious()->getMessage());
            $this->assertSame('enough at 64 of 300', $e->getMessage());
            $this->assertStopped($items, $e->getReport(), 64); // one chunk of max(4 × 4, 64)
        }
        $this->assertSame(1, $calls);
        // The client works afterwards: the rest goes through.
        $report = $client->upsertProducts(array_slice($items, 64), 4);
        $this->assertSame(['created'], array_values(array_unique(array_column($report, 'action'))));
    }

    public function testCancelFromASignalHandlerStopsTheBatch(): void
    {
        if (!function_exists('pcntl_signal') || !function_exists('posix_kill')) {
            $this->markTestSkipped('pcntl and posix are needed');
        }
        $client = $this->client();
        $items = self::batch('signal', 200);
        pcntl_async_signals(true);
        pcntl_signal(SIGUSR1, static fn () => $client->cancel());
        try {
            // The signal comes after the first chunk, as a Ctrl-C would during the second.
            $client->upsertProducts($items, 4, static function (int $done) use (&$signalled): void {
                if ($done === 64) {
                    posix_kill(getmypid(), SIGUSR1);
                }
            });
            $this->fail('no CancelledException');
        } catch (CancelledException $e) {
            $this->assertNull($e->getPrevious());
            $report = $e->getReport();
            $written = count(array_filter($report, static fn ($entry) => $entry['action'] === 'created'));
            $this->assertContains($written, [64, 128]); // the handler runs at the next opcode: before or during chunk 2
            $this->assertStopped($items, $report, $written);
        } finally {
            pcntl_signal(SIGUSR1, SIG_DFL);
        }
        $this->assertCount(3, $client->upsertProducts(array_slice($items, -3)));
    }

    public function testCancelWithNoBatchRunningChangesNothing(): void
    {
        $client = $this->client();
        $client->cancel();
        $report = $client->upsertProducts(self::batch('calm', 2));
        $this->assertSame(['created', 'created'], array_column($report, 'action'));
    }

    public function testAPsrStyleLoggerGetsOneEventPerAttempt(): void
    {
        $logger = new class {
            /** @var list<array{string, array}> */
            public array $lines = [];

            public function debug(string $message, array $context = []): void
            {
                $this->lines[] = [$message, $context];
            }
        };
        $client = $this->client(['logger' => $logger]);
        $this->emulator->fault(['kind' => 'status', 'status' => 503, 'retry_after' => 1, 'count' => 1,
            'path_prefix' => '/a/v1.0/storage/test']);
        $client->authTest();
        $secret = 'Покупатель Сидоров +375297654321';
        $client->upsertProduct(self::product('logged', $secret));
        $this->assertCount(4, $logger->lines); // 503, 200, then PUT 404 and POST
        [$first, $event] = $logger->lines[0];
        $this->assertStringStartsWith('GET /a/v1.0/storage/test attempt 1: HTTP 503 CAFFESTA_ERR_SERVER', $first);
        $this->assertStringEndsWith('retry in 1000 ms (Retry-After 1 s)', $first);
        $this->assertSame([503, true, 1000, 1], [$event['http_status'], $event['retry'], $event['retry_delay_ms'],
            $event['retry_after_s']]);
        $this->assertSame('CAFFESTA_OK', $logger->lines[1][1]['status']);
        $this->assertSame('reused', $logger->lines[1][1]['connection']);
        $this->assertSame(['PUT', 'POST'], [$logger->lines[2][1]['method'], $logger->lines[3][1]['method']]);
        $all = json_encode($logger->lines, JSON_UNESCAPED_UNICODE);
        $this->assertStringNotContainsString(Emulator::API_KEY, $all);
        $this->assertStringNotContainsString('Сидоров', $all);
    }

    public function testAClosureLogger(): void
    {
        $lines = [];
        $client = $this->client(['logger' => function (string $message, array $context) use (&$lines): void {
            $lines[] = $message;
        }]);
        $client->upsertProducts(self::batch('closure', 2), 2);
        $this->assertCount(4, $lines);
        $this->assertMatchesRegularExpression('~^PUT /a/v1\.0/product/by_ref_code/closure-00\d \(item \d\) attempt 1: HTTP 404~', $lines[0]);
    }

    public function testABadLoggerIsRefused(): void
    {
        $this->expectException(InvalidArgumentException::class);
        $this->client(['logger' => 'stderr']);
    }
}
