<?php

declare(strict_types=1);

namespace Caffesta\Tests\Support;

use Caffesta\Client;
use Caffesta\Exception\InvalidArgumentException;
use PHPUnit\Framework\TestCase;

/** A test against the emulator, reset before each test. */
abstract class EmulatorTestCase extends TestCase
{
    protected Emulator $emulator;

    protected function setUp(): void
    {
        $this->emulator = Emulator::get();
        $this->emulator->reset();
    }

    /** A client of the emulator; $options go over the defaults. */
    protected function client(array $options = [], string $apiKey = Emulator::API_KEY): Client
    {
        return new Client('demo', $apiKey, $options + ['base_url' => $this->emulator->url()]);
    }

    /** A product body in docs/api.md's form. */
    protected static function product(string $refCode, string $name = 'Латте', float $price = 4.5): array
    {
        return [
            'ref_code' => $refCode,
            'name' => $name,
            'type' => 'product',
            'measure' => 'pcs',
            'cancellation_type' => 0,
            'for_sale' => true,
            'use_discounts' => true,
            'caf_tax_id' => 1,
            'category_ref_code' => 'coffee',
            'workspace_ref_code' => 'bar',
            'prices' => [['caf_shop_id' => 2, 'caf_storage_id' => 1, 'price' => $price, 'self_cost' => 1.0]],
        ];
    }

    /** A request sample of the API's documentation (Tests/samples), decoded. */
    protected static function sample(string $name): array
    {
        $path = dirname(__DIR__, 4) . '/Tests/samples/' . $name;
        return json_decode((string) file_get_contents($path), true, 512, JSON_THROW_ON_ERROR);
    }

    /**
     * Runs $call on a client of the emulator: it must throw InvalidArgumentException, its message
     * holding $message, before any request reached the emulator.
     */
    protected function assertRefusedBeforeAnyRequest(\Closure $call, string $message): void
    {
        try {
            $call($this->client());
            $this->fail('no InvalidArgumentException');
        } catch (InvalidArgumentException $e) {
            $this->assertStringContainsString($message, $e->getMessage());
            $this->assertSame(['CAFFESTA_ERR_INVALID_ARGUMENT', 0], [$e->getStatus(), $e->getHttpStatus()]);
        }
        $this->assertSame([], $this->apiRequests());
    }

    /** The emulator's log of API requests (admin calls excluded). */
    protected function apiRequests(): array
    {
        return $this->emulator->requests();
    }
}
