<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Exception\ApiException;
use Caffesta\Exception\CaffestaException;
use Caffesta\Exception\HttpException;
use Caffesta\Exception\InvalidArgumentException;
use Caffesta\Exception\NetworkException;
use Caffesta\Exception\ProtocolException;
use Caffesta\Exception\RateLimitException;
use Caffesta\Exception\ServerException;
use Caffesta\Exception\TimeoutException;
use Caffesta\Tests\Support\EmulatorTestCase;

/**
 * Every failure says what became of its request (issue 26): getDelivery() and mayHaveArrived()
 * for each failure kind of the emulator's fault list, on a write (an invoice, never resent once
 * it may have arrived), and per item in a bulk report.
 */
final class DeliveryTest extends EmulatorTestCase
{
    private const INVOICES = '/a/v1.0/storage/invoices';
    private const MAY = 'the invoice may have been created: check the invoice list before sending it again';

    private static function invoice(): array
    {
        return ['number' => 'PHP-1', 'date' => '2024-03-01 10:00', 'storage' => ['caf_id' => 1],
            'items' => [['amount' => 1, 'product_code' => '1', 'price' => 2]]];
    }

    /** @return array<string, array{array<string, mixed>, class-string, string}> */
    public static function faults(): array
    {
        return [
            'status 500' => [['kind' => 'status', 'status' => 500], ServerException::class, 'answered'],
            'status 503' => [['kind' => 'status', 'status' => 503, 'count' => 3], ServerException::class, 'not_sent'],
            'status 429' => [['kind' => 'status', 'status' => 429, 'count' => 3], RateLimitException::class, 'not_sent'],
            'status 502' => [['kind' => 'status', 'status' => 502], ServerException::class, 'may_have_arrived'],
            'delay' => [['kind' => 'delay', 'delay_ms' => 4000], TimeoutException::class, 'may_have_arrived'],
            'html' => [['kind' => 'html'], ServerException::class, 'may_have_arrived'],
            'html200' => [['kind' => 'html200'], ProtocolException::class, 'may_have_arrived'],
            'empty' => [['kind' => 'empty'], ProtocolException::class, 'may_have_arrived'],
            'truncate' => [['kind' => 'truncate'], NetworkException::class, 'may_have_arrived'],
            'close' => [['kind' => 'close'], NetworkException::class, 'may_have_arrived'],
            'reset' => [['kind' => 'reset'], NetworkException::class, 'may_have_arrived'],
            'apply_then_close' => [['kind' => 'apply_then_close'], NetworkException::class, 'may_have_arrived'],
            'trickle' => [['kind' => 'trickle', 'delay_ms' => 200], TimeoutException::class, 'may_have_arrived'],
            'hang' => [['kind' => 'hang', 'delay_ms' => 5000], TimeoutException::class, 'may_have_arrived'],
            'oversize' => [['kind' => 'oversize', 'size_bytes' => 100000], ProtocolException::class, 'may_have_arrived'],
            'invalid_utf8' => [['kind' => 'invalid_utf8'], ProtocolException::class, 'may_have_arrived'],
            'deep_json' => [['kind' => 'deep_json', 'depth' => 3000], ProtocolException::class, 'may_have_arrived'],
            'redirect' => [['kind' => 'redirect', 'location' => 'http://127.0.0.1:9/'], HttpException::class, 'answered'],
            'body' => [['kind' => 'body', 'json' => ['success' => false, 'data' => ['error' => 'storage closed']]],
                ApiException::class, 'answered'],
        ];
    }

    /**
     * @dataProvider faults
     * @param array<string, mixed> $fault
     */
    public function testEachFaultKindGivesItsDeliveryState(array $fault, string $class, string $delivery): void
    {
        $this->emulator->fault($fault + ['path_prefix' => self::INVOICES]);
        $client = $this->client(['timeout_ms' => 1500, 'connect_timeout_ms' => 1000, 'max_response_size' => 4096]);
        try {
            $client->createInvoice(self::invoice());
            $this->fail("no $class");
        } catch (CaffestaException $e) {
            $this->assertSame($class, get_class($e), $e->getMessage());
            $this->assertSame($delivery, $e->getDelivery(), $e->getMessage());
            $this->assertSame($delivery === 'may_have_arrived', $e->mayHaveArrived());
            if ($e->mayHaveArrived()) {
                $this->assertStringContainsString(self::MAY, $e->getMessage());
            }
        }
    }

    public function testNothingSent(): void
    {
        try {
            $this->client()->createInvoice(['number' => 'x']);
            $this->fail('no InvalidArgumentException');
        } catch (InvalidArgumentException $e) {
            $this->assertSame('not_sent', $e->getDelivery());
            $this->assertFalse($e->mayHaveArrived());
        }
        $this->assertSame(0, $this->emulator->stats()['invoices']);
    }

    public function testTheStatusIsTheLastAttempts(): void
    {
        $this->emulator->fault(['kind' => 'status', 'status' => 503, 'retry_after' => 0, 'path_prefix' => self::INVOICES]);
        $this->emulator->fault(['kind' => 'hang', 'delay_ms' => 5000, 'path_prefix' => self::INVOICES]);
        try {
            $this->client(['timeout_ms' => 1500, 'connect_timeout_ms' => 1000])->createInvoice(self::invoice());
            $this->fail('no TimeoutException');
        } catch (TimeoutException $e) {
            $this->assertTrue($e->mayHaveArrived());
            $this->assertStringContainsString('HTTP 503', $e->getMessage());
        }
    }

    public function testBulkItemsCarryTheirs(): void
    {
        $this->emulator->fault(['kind' => 'status', 'status' => 500, 'path_prefix' => '/a/v1.0/product/by_ref_code/php-answered']);
        $this->emulator->fault(['kind' => 'status', 'status' => 503, 'count' => 3,
            'path_prefix' => '/a/v1.0/product/by_ref_code/php-refused']);
        $report = $this->client()->upsertProducts([self::product('php-ok'), self::product('php-answered'),
            self::product('php-refused')]);
        $this->assertSame([null, 'answered', 'not_sent'], array_map(fn ($r) => $r['delivery'] ?? null, $report));
    }
}
