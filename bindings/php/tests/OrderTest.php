<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\Exception\ApiException;
use Caffesta\Exception\InvalidArgumentException;
use Caffesta\Exception\NotFoundException;
use Caffesta\Exception\TimeoutException;
use Caffesta\Tests\Support\EmulatorTestCase;

/** Delivery orders through a job (the v1.0 path): created, polled, waited for, their receipts;
 * the order_path option. The default path's answer at once is in FieldShapeTest. */
final class OrderTest extends EmulatorTestCase
{
    private const JOB_PATH = ['order_path' => '/a/v1.0/draft/receipts'];

    public function testTheWholeLifeOfAnOrder(): void
    {
        $client = $this->client(self::JOB_PATH);
        $jobId = $client->createOrder(self::sample('order_create.request.json'));
        $this->assertSame(54300903, $jobId); // the emulator's first job, the docs' example

        $status = $client->getOrderJobStatus($jobId);
        $this->assertSame('pending', $status['status']);
        $this->assertSame($jobId, $status['job_id']);

        $done = $client->waitForOrder($jobId, 10_000);
        $this->assertSame('success', $done['status']);
        $uuid = $done['message'];
        $this->assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/', $uuid);

        $receipts = $client->getReceiptInfo($uuid);
        $this->assertNotEmpty($receipts);
        $this->assertSame($uuid, $receipts[0]['id']);
        $this->assertSame(6.83, $receipts[0]['totalSum']);

        $paths = array_column($this->apiRequests(), 'path');
        $this->assertSame('/a/v1.0/draft/receipts', $paths[0]);
        $this->assertSame("/a/v1.0/draft/get_job_status/$jobId", $paths[1]);
        $this->assertSame("/a/v1.0/draft/receipts/$uuid/info", end($paths));
    }

    public function testAJobThatFailsIsAnApiErrorSayingWhy(): void
    {
        $client = $this->client(self::JOB_PATH);
        $order = self::sample('order_create.request.json');
        $order['bill']['items'][0]['product_id'] = 999999;
        $jobId = $client->createOrder($order); // accepted: the job fails later
        try {
            $client->waitForOrder($jobId, 10_000);
            $this->fail('the failed job was not an error');
        } catch (ApiException $e) {
            $this->assertStringContainsString('failed', $e->getMessage());
        }
        $this->assertSame('failed', $client->getOrderJobStatus($jobId)['status']);
    }

    public function testAJobStillPendingAtTheDeadlineIsATimeout(): void
    {
        $this->emulator->configure(['job_pending_polls' => 1000]);
        $client = $this->client(self::JOB_PATH);
        $jobId = $client->createOrder(self::sample('order_create.request.json'));
        $started = microtime(true);
        try {
            $client->waitForOrder($jobId, 300);
            $this->fail('no TimeoutException');
        } catch (TimeoutException $e) {
            $this->assertStringContainsString('still pending', $e->getMessage());
        }
        $this->assertLessThan(3.0, microtime(true) - $started);
        $this->assertGreaterThan(1, count($this->apiRequests())); // it polled
    }

    public function testTheOrderPathOption(): void
    {
        $client = $this->client(['order_path' => '/a/v1.0/draft/other_orders']);
        try {
            $client->createOrder(self::sample('order_create.request.json'));
            $this->fail('the emulator has no such path');
        } catch (NotFoundException $e) {
            $this->assertSame(404, $e->getHttpStatus());
        }
        $this->assertSame([['POST', '/a/v1.0/draft/other_orders']],
            array_map(static fn (array $r): array => [$r['method'], $r['path']], $this->apiRequests()));

        $this->assertGreaterThan(0, $this->client(self::JOB_PATH)->createOrder(self::sample('order_create.request.json')));
    }

    /** @dataProvider badOrderPaths */
    public function testABadOrderPathIsRefused(mixed $path, string $message): void
    {
        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage($message);
        $this->client(['order_path' => $path]);
    }

    public function badOrderPaths(): array
    {
        return [
            'another host' => ['http://evil/', 'path'],
            'protocol-relative' => ['//evil/orders', 'path'],
            'not a string' => [42, 'option order_path must be a string, not int'],
            'NUL' => ["/a/v1.0/draft/orders\0/x", 'order_path contains a NUL byte'],
        ];
    }

    /** @dataProvider badCalls */
    public function testBadArgumentsAreRefusedBeforeAnyRequest(\Closure $call, string $message): void
    {
        $this->assertRefusedBeforeAnyRequest($call, $message);
    }

    public function badCalls(): array
    {
        $negative = self::sample('order_create.request.json');
        $negative['bill']['items'][0]['count'] = -1;
        $negativeSum = self::sample('order_create.request.json');
        $negativeSum['bill']['total_sum'] = -6.83;
        return [
            'a negative count' => [fn (Client $c) => $c->createOrder($negative), 'bill.items[0].count'],
            'a negative total' => [fn (Client $c) => $c->createOrder($negativeSum), 'bill.total_sum'],
            'an empty bill' => [fn (Client $c) => $c->createOrder(['bill' => new \stdClass()]), 'bill'],
            'no bill' => [fn (Client $c) => $c->createOrder([]), 'bill'],
            'wait 0 ms' => [fn (Client $c) => $c->waitForOrder(54300903, 0), 'timeout_ms'],
            'wait a negative time' => [fn (Client $c) => $c->waitForOrder(54300903, -5), 'timeout_ms'],
            'wait for job 0' => [fn (Client $c) => $c->waitForOrder(0), 'job_id'],
            'status of job -3' => [fn (Client $c) => $c->getOrderJobStatus(-3), 'job_id'],
            'receipts of an empty uuid' => [fn (Client $c) => $c->getReceiptInfo(''), 'uuid'],
            'receipts of a uuid with NUL' => [fn (Client $c) => $c->getReceiptInfo("a\0b"), 'order_uuid contains a NUL byte'],
        ];
    }
}
