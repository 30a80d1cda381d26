<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\ClientInterface;
use Caffesta\Exception\InvalidArgumentException;
use Caffesta\Exception\TimeoutException;
use Caffesta\Tests\Support\EmulatorTestCase;

/**
 * One call's own options: every endpoint method's last argument, ['timeout_ms' => N]. The emulator
 * holds its answer (a "hang" fault) for longer than the call's timeout and far less than the
 * client's, so the call can only have ended by its own: no test measures time.
 */
final class CallOptionsTest extends EmulatorTestCase
{
    /** The emulator holds its answer $ms, then gives none ('hang') or answers ('delay'). */
    private function hold(string $kind, string $method, string $path, int $ms, int $count = 1): void
    {
        $this->emulator->fault(['kind' => $kind, 'method' => $method, 'path_prefix' => $path, 'delay_ms' => $ms,
            'count' => $count]);
    }

    private function hang(string $method, string $path, int $ms, int $count = 1): void
    {
        $this->hold('hang', $method, $path, $ms, $count);
    }

    public function testACallEndsAtItsOwnTimeoutAndTheNextHasNone(): void
    {
        $client = $this->client(['timeout_ms' => 60_000]);
        $client->upsertProduct(self::product('own-timeout'));
        $this->hang('GET', '/a/v1.0/product/by_ref_code/', 5_000);
        try {
            $client->getProduct('own-timeout', ['timeout_ms' => 300]);
            $this->fail('no TimeoutException');
        } catch (TimeoutException $e) {
            $this->assertSame('CAFFESTA_ERR_TIMEOUT', $e->getStatus());
        }
        // The next call, without options, is not under the last one's timeout: it waits out a hold
        // longer than 300 ms.
        $this->hold('delay', 'GET', '/a/v1.0/product/by_ref_code/', 800);
        $this->assertSame('own-timeout', $client->getProduct('own-timeout')['ref_code']);
        // And a call with options again, longer than the hold.
        $this->hold('delay', 'GET', '/a/v1.0/product/by_ref_code/', 300);
        $this->assertSame('own-timeout', $client->getProduct('own-timeout', ['timeout_ms' => 30_000])['ref_code']);
    }

    public function testTheClientsTimeoutStillBoundsTheCall(): void
    {
        $client = $this->client(['timeout_ms' => 300]);
        $this->hang('GET', '/a/v1.0/storage/test', 5_000);
        $this->expectException(TimeoutException::class);
        $client->authTest(['timeout_ms' => 60_000]);
    }

    public function testAWriteCutByItsTimeoutSaysItMayHaveArrived(): void
    {
        $client = $this->client(['max_retries' => 0]);
        $this->hang('PUT', '/a/v1.0/product/by_ref_code/', 5_000);
        try {
            $client->upsertProduct(self::product('cut-write'), ['timeout_ms' => 300]);
            $this->fail('no TimeoutException');
        } catch (TimeoutException $e) {
            $this->assertTrue($e->mayHaveArrived(), $e->getMessage());
        }
        $this->assertCount(1, $this->apiRequests());   // never resent
    }

    public function testBadOptionsAreRefusedBeforeAnyRequest(): void
    {
        foreach ([
            [['timeout' => 300], 'unknown call option timeout; known: timeout_ms'],
            [['timeout_ms' => '300'], 'timeout_ms must be an int, not string'],
            [['timeout_ms' => 0], 'call option timeout_ms must be 1 ms to 24 hours, not 0'],
            [['timeout_ms' => 86_400_001], 'call option timeout_ms must be 1 ms to 24 hours'],
        ] as [$options, $message]) {
            $this->assertRefusedBeforeAnyRequest(fn ($client) => $client->authTest($options), $message);
            $this->assertRefusedBeforeAnyRequest(fn ($client) => $client->upsertProducts([self::product('x')], 1, null,
                $options), $message);
        }
    }

    /** Every endpoint method of the interface takes $options last (generated from api/calls.toml). */
    public function testEveryEndpointMethodTakesOptions(): void
    {
        foreach ((new \ReflectionClass(ClientInterface::class))->getMethods() as $method) {
            if (in_array($method->getName(), ['baseUrl', 'isReused', 'cancel', 'close'], true)) {
                continue;
            }
            $parameters = $method->getParameters();
            $last = end($parameters);
            $this->assertNotFalse($last, $method->getName());
            $this->assertSame(['options', 'array', true], [$last->getName(), (string) $last->getType(),
                $last->isDefaultValueAvailable()], $method->getName());
        }
    }

    /**
     * The bulk call's timeout is the whole batch's deadline: the chunks it cannot reach are reported
     * failed without a request, as the library reports its own items that never got their turn.
     */
    public function testABatchsTimeoutIsItsDeadline(): void
    {
        $client = $this->client(['max_retries' => 0]);
        $this->hang('PUT', '/a/v1.0/product/by_ref_code/', 5_000, 1000);
        $products = array_map(fn (int $i) => self::product("deadline-$i"), range(0, 199));   // 4 chunks at concurrency 1
        $report = $client->upsertProducts($products, 1, null, ['timeout_ms' => 400]);
        $this->assertCount(200, $report);
        foreach ($report as $i => $entry) {
            $this->assertSame(["deadline-$i", 'failed', 'CAFFESTA_ERR_TIMEOUT'],
                [$entry['ref_code'], $entry['action'], $entry['status']], json_encode($entry));
        }
        // The first product was in flight when the deadline came (it may have arrived); every later one
        // was never sent.
        $this->assertSame('may_have_arrived', $report[0]['delivery']);
        foreach (array_slice($report, 1) as $entry) {
            $this->assertSame(['not_sent', "not sent: the call's deadline passed before its turn"],
                [$entry['delivery'], preg_replace('/^item \d+: /', '', $entry['message'])], json_encode($entry));
        }
        $this->assertCount(1, $this->apiRequests());
    }
}
