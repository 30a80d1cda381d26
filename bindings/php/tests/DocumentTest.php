<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\Exception\ApiException;
use Caffesta\Exception\InvalidArgumentException;
use Caffesta\Exception\NotFoundException;
use Caffesta\Tests\Support\EmulatorTestCase;

/** Storages, incoming invoices and moves, fed with the documentation's request samples (as Tests/c/test_endpoints.c). */
final class DocumentTest extends EmulatorTestCase
{
    /** The balance of a product (by name) on a storage; 0 when it is not on it. */
    private static function stockOf(Client $client, int $storageId, string $name): float
    {
        foreach ($client->getStorageStock($storageId) as $row) {
            if ($row['name'] === $name) {
                return (float) $row['balance'];
            }
        }
        return 0.0;
    }

    public function testStoragesAndTheirStock(): void
    {
        $client = $this->client();
        $storages = $client->listStorages();
        $this->assertGreaterThanOrEqual(2, count($storages));
        $this->assertSame(['id' => 1, 'name' => 'Склад кафе Буран', 'label' => '(id:1) Склад кафе Буран', 'position' => 1],
            $storages[0]);
        $this->assertSame(array_column($storages, 'id'), array_values(array_unique(array_column($storages, 'id'))));

        $stock = $client->getStorageStock(1);
        $this->assertNotEmpty($stock);
        $this->assertSame(['id', 'name', 'measure', 'cost', 'summ', 'balance'], array_keys($stock[0]));
        $this->assertIsString($stock[0]['balance']); // numbers as strings, as the API sends them
        $this->assertSame(50.0, self::stockOf($client, 1, 'Вафельный батончик'));

        $this->assertSame(['GET /a/v1.0/draft/storages', 'GET /a/v1.0/draft/store/1', 'GET /a/v1.0/draft/store/1'],
            array_map(static fn (array $r): string => "{$r['method']} {$r['path']}", $this->apiRequests()));
        $this->expectException(NotFoundException::class);
        $this->expectExceptionMessage('storage not found');
        $client->getStorageStock(99999);
    }

    public function testTheLifeOfAnInvoice(): void
    {
        $client = $this->client();
        $sample = self::sample('invoice_create.request.json');
        $id = $client->createInvoice($sample);
        $this->assertIsInt($id);
        $this->assertGreaterThan(0, $id);
        $second = $client->createInvoice($sample); // not idempotent: every call a new document
        $this->assertGreaterThan($id, $second);
        $this->assertSame(2, $this->emulator->stats()['invoices']);

        $invoice = $client->getInvoice($id);
        $this->assertSame('not_wired', $invoice['status']);
        $this->assertSame($sample['number'], $invoice['name']);
        $this->assertSame(1, $invoice['storage']['id']);

        $before = self::stockOf($client, 1, '1000'); // the sample's product "prod1" is named "1000"
        $client->wireInvoice($id);
        $this->assertSame('wired', $client->getInvoice($id)['status']);
        $this->assertSame($before + 25, self::stockOf($client, 1, '1000'));
        $client->unwireInvoice($id);
        $this->assertSame('not_wired', $client->getInvoice($id)['status']);
        $this->assertSame($before, self::stockOf($client, 1, '1000'));

        $listed = $client->listInvoices('2018-06-01');
        $this->assertSame([$id, $second], array_column($listed, 'id'));
        $this->assertSame([], $client->listInvoices('2030-01-01'));
        $this->assertCount(2, $client->listInvoices(new \DateTimeImmutable('2018-06-13 23:00')));
        $log = $this->apiRequests();
        $this->assertSame('/a/v1.0/storage/invoices?start=2018-06-13', end($log)['path']);

        $puts = array_filter($this->requestsTo("/a/v1.0/storage/invoices/$id"), static fn (array $r): bool => $r['method'] === 'PUT');
        $this->assertSame(['{"action":"wire"}', '{"action":"unwire"}'], array_column(array_values($puts), 'body'));
    }

    public function testTheServersRefusalOfAnInvoiceIsAnApiError(): void
    {
        $invoice = self::sample('invoice_create.request.json');
        $invoice['storage'] = ['caf_id' => 777];
        try {
            $this->client()->createInvoice($invoice);
            $this->fail('an unknown storage was accepted');
        } catch (ApiException $e) {
            $this->assertSame(200, $e->getHttpStatus());
            $this->assertStringContainsString('POST ' . $this->emulator->url() . '/a/v1.0/storage/invoices', $e->getMessage());
        }
        $this->assertSame(0, $this->emulator->stats()['invoices']);
    }

    public function testWiringAnUnknownInvoiceOrMoveIsNotFound(): void
    {
        $client = $this->client();
        foreach ([fn () => $client->wireInvoice(987654), fn () => $client->unwireInvoice(987654),
            fn () => $client->getInvoice(987654), fn () => $client->wireMove(424242), fn () => $client->unwireMove(424242)] as $call) {
            try {
                $call();
                $this->fail('no NotFoundException');
            } catch (NotFoundException $e) {
                $this->assertSame(404, $e->getHttpStatus());
            }
        }
    }

    public function testTheMoveSampleIsRefusedForItsBrokenSecondItem(): void
    {
        $sample = self::sample('move_create.request.json');
        try {
            $this->client()->createMove($sample);
            $this->fail('the sample with an empty key for amount was accepted');
        } catch (InvalidArgumentException $e) {
            $this->assertStringContainsString('items[1].amount', $e->getMessage());
            $this->assertSame('CAFFESTA_ERR_INVALID_ARGUMENT', $e->getStatus());
        }
        $this->assertSame([], $this->apiRequests());
        $this->assertSame(0, $this->emulator->stats()['moves']);
    }

    public function testTheLifeOfAMove(): void
    {
        $client = $this->client();
        $move = self::sample('move_create.request.json');
        $move['items'][1] = ['amount' => $move['items'][1][''], 'product_code' => $move['items'][1]['product_code']];
        $from = self::stockOf($client, 1, 'Клюквенный морс');
        $to = self::stockOf($client, 7, 'Клюквенный морс');

        $id = $client->createMove($move);
        $this->assertIsInt($id);
        $this->assertGreaterThan(0, $id);
        $this->assertSame(1, $this->emulator->stats()['moves']);
        $client->wireMove($id);
        $this->assertSame($from - 25, self::stockOf($client, 1, 'Клюквенный морс'));
        $this->assertSame($to + 25, self::stockOf($client, 7, 'Клюквенный морс'));
        $client->unwireMove($id);
        $this->assertSame($from, self::stockOf($client, 1, 'Клюквенный морс'));
        $this->assertSame($to, self::stockOf($client, 7, 'Клюквенный морс'));
        $this->assertSame(['{"action":"wire"}', '{"action":"unwire"}'], array_column($this->requestsTo("/a/v1.0/storage/moves/$id"), 'body'));
    }

    /** @dataProvider badCalls */
    public function testBadArgumentsAreRefusedBeforeAnyRequest(\Closure $call, string $message): void
    {
        $this->assertRefusedBeforeAnyRequest($call, $message);
    }

    public function badCalls(): array
    {
        $item = ['amount' => 1, 'product_code' => '1'];
        return [
            'stock of storage 0' => [fn (Client $c) => $c->getStorageStock(0), 'storage_id must be a positive id'],
            'stock of a negative storage' => [fn (Client $c) => $c->getStorageStock(-4), 'storage_id'],
            'invoice without storage' => [fn (Client $c) => $c->createInvoice(['number' => '1', 'date' => '2018-06-13 14:28',
                'items' => []]), 'storage'],
            'invoice as a list' => [fn (Client $c) => $c->createInvoice([1, 2]), 'object'],
            'empty invoice' => [fn (Client $c) => $c->createInvoice([]), 'invoice: number'],
            'invoice not encodable' => [fn (Client $c) => $c->createInvoice(['number' => "\xff"]), 'invoice cannot be encoded as JSON'],
            'wire invoice -1' => [fn (Client $c) => $c->wireInvoice(-1), 'invoice_id'],
            'unwire invoice 0' => [fn (Client $c) => $c->unwireInvoice(0), 'invoice_id'],
            'get invoice 0' => [fn (Client $c) => $c->getInvoice(0), 'invoice_id'],
            'invoices since 2018-6-1' => [fn (Client $c) => $c->listInvoices('2018-6-1'), 'YYYY-MM-DD'],
            'invoices since 30 February' => [fn (Client $c) => $c->listInvoices('2018-02-30'), 'YYYY-MM-DD'],
            'invoices since a NUL' => [fn (Client $c) => $c->listInvoices("2018-06-01\0x"), 'start_date contains a NUL byte'],
            'move with a negative amount' => [fn (Client $c) => $c->createMove(['storage_from' => ['caf_id' => 1],
                'storage_to' => ['caf_id' => 7], 'items' => [['amount' => -2, 'product_code' => '1']]]), 'items[0].amount'],
            'move without storage_to' => [fn (Client $c) => $c->createMove(['storage_from' => ['caf_id' => 1],
                'items' => [$item]]), 'storage_to'],
            'wire move 0' => [fn (Client $c) => $c->wireMove(0), 'move_id'],
            'unwire move -7' => [fn (Client $c) => $c->unwireMove(-7), 'move_id'],
        ];
    }

    /** The logged requests whose path is exactly $path. */
    private function requestsTo(string $path): array
    {
        return array_values(array_filter($this->apiRequests(), static fn (array $r): bool => $r['path'] === $path));
    }
}
