<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Exception\ApiException;
use Caffesta\Tests\Support\EmulatorTestCase;

/**
 * The API's final shapes through the binding: storage ids from labels, not_wired, orders in both
 * answer forms, server error texts, feeds answering code "error", sales exports with
 * groupByTerminal, product pages of any size.
 */
final class FieldShapeTest extends EmulatorTestCase
{
    private function answerOnce(string $pathPrefix, array $json): void
    {
        $this->emulator->fault(['kind' => 'body', 'path_prefix' => $pathPrefix, 'json' => $json]);
    }

    private function lastPath(): string
    {
        $requests = $this->apiRequests();
        return $requests === [] ? '' : $requests[count($requests) - 1]['path'];
    }

    public function testStorageIdsComeFromLabels(): void
    {
        $this->answerOnce('/a/v1.0/draft/storages', ['2' => '(id:7) Общий склад', '1' => '(id:1) Склад кафе',
            '3' => 'Без номера']);
        $this->assertSame([
            ['id' => 1, 'name' => 'Склад кафе', 'label' => '(id:1) Склад кафе', 'position' => 1],
            ['id' => 7, 'name' => 'Общий склад', 'label' => '(id:7) Общий склад', 'position' => 2],
            ['id' => null, 'name' => 'Без номера', 'label' => 'Без номера', 'position' => 3],
        ], $this->client()->listStorages());
        foreach ($this->client()->listStorages() as $storage) {
            $this->assertStringStartsWith("(id:{$storage['id']}) ", $storage['label']);
        }
    }

    public function testInvoicesSayNotWiredAndListSummaries(): void
    {
        $client = $this->client();
        $id = $client->createInvoice(self::sample('invoice_create.request.json'));
        $this->assertSame('not_wired', $client->getInvoice($id)['status']);
        [$summary] = $client->listInvoices('2000-01-01');
        $this->assertArrayNotHasKey('items', $summary);
        $this->assertSame('not_wired', $summary['status']);
        $this->answerOnce('/a/v1.0/storage/invoices/', ['success' => true, 'data' => ['id' => 5, 'status' => 'unwired']]);
        $this->assertSame('unwired', $client->getInvoice(5)['status']);
    }

    public function testAnOrderMadeAtOnce(): void
    {
        $client = $this->client();
        $submitted = $client->submitOrder(self::sample('order_create.request.json'));
        $this->assertNull($submitted['job_id']);
        $this->assertSame('success', $submitted['status']);
        $this->assertSame(36, strlen($submitted['uuid']));
        $this->assertSame('/a/v1.1/draft/receipts', $this->lastPath());
        $logged = count($this->apiRequests());
        $this->assertSame($submitted, $client->waitForOrder($submitted, 5_000));
        $this->assertCount($logged, $this->apiRequests()); // done already: no request
        $this->assertSame('wait_cashier', $client->getReceiptInfo($submitted['uuid'])[0]['status']);
    }

    public function testAnOrderThroughAJob(): void
    {
        $client = $this->client(['order_path' => '/a/v1.0/draft/receipts']);
        $submitted = $client->submitOrder(self::sample('order_create.request.json'));
        $this->assertSame('pending', $submitted['status']);
        $this->assertIsInt($submitted['job_id']);
        $done = $client->waitForOrder($submitted, 10_000);
        $this->assertSame(['job_id' => $submitted['job_id'], 'status' => 'success'], array_slice($done, 0, 2));
        $this->assertSame(36, strlen($done['uuid']));
    }

    public function testAFailedOrderCarriesTheReason(): void
    {
        $this->answerOnce('/a/v1.1/draft/receipts', ['success' => true, 'data' => ['status' => 'failed', 'message' => 'Смена закрыта']]);
        $this->expectException(ApiException::class);
        $this->expectExceptionMessage('Смена закрыта');
        $this->client()->submitOrder(self::sample('order_create.request.json'));
    }

    public function testServerErrorTextsWhereverTheyAre(): void
    {
        $client = $this->client();
        $this->answerOnce('/a/v1.0/storage/invoices/', ['success' => false, 'data' => ['status' => 'SQLSTATE[23505]: Unique violation']]);
        try {
            $client->getInvoice(3);
            $this->fail('no ApiException');
        } catch (ApiException $e) {
            $this->assertStringContainsString('SQLSTATE[23505]: Unique violation', $e->getMessage());
        }
        $this->answerOnce('/a/v1.0/draft/get_updates/', ['code' => 'error', 'message' => 'POS 2 is blocked']);
        try {
            $client->getUpdates(2);
            $this->fail('no ApiException');
        } catch (ApiException $e) {
            $this->assertStringContainsString('POS 2 is blocked', $e->getMessage());
        }
    }

    public function testSalesShapesAndGroupingByTerminal(): void
    {
        $client = $this->client();
        $totals = self::sample('export_sales_totals.response.json');
        $this->answerOnce('/a/v1.0/product/export_sales_totals', $totals);
        $rows = $client->getSalesByPos(shiftDay: '2022-04-20');
        $this->assertSame($totals['data'], $rows);
        $this->assertNull($rows[0]['caf_terminal_id']);
        $grouped = $client->getSalesByPos(shiftDay: '2022-04-20', groupByTerminal: true);
        $this->assertStringEndsWith('shift_day=2022-04-20&add_gr_by=terminal_id', $this->lastPath());
        $terminals = array_column($grouped, 'caf_terminal_id');
        $this->assertSame(count($terminals), count(array_unique($terminals, SORT_REGULAR)));
        $client->getSalesByProduct('2022-04-20', '2022-04-21', groupByTerminal: true);
        $this->assertStringEndsWith('&add_gr_by=terminal_id', $this->lastPath());
        $receipts = self::sample('receipts_by_shift_day.response.json');
        $this->answerOnce('/a/v1.0/draft/receipts_by_shift_day/', $receipts);
        $this->assertEquals($receipts, $client->getReceiptsByShiftDay(2, '2022-04-20'));
    }

    public function testMenuImportPricesValueIsCostValueDayRetail(): void
    {
        $client = $this->client();
        $client->importMenuPart(['update_balances' => false, 'categories' => [], 'menus' => [], 'taxes' => [],
            'shops' => [], 'items' => [['id' => 'price-check', 'deleted' => false, 'name' => 'Проверка цен',
                'measure' => 'pcs', 'for_sale' => true, 'tax_id' => 1, 'menus' => [],
                'prices' => [['shop_id' => 2, 'value' => 1.25, 'value_day' => 3.5]]]]]);
        $ids = array_column(array_filter($client->getAllProducts(2),
            static fn (array $p): bool => $p['alternateName'] === 'price-check'), 'id');
        $this->assertCount(1, $ids);
        $rows = array_values(array_filter($client->getProductShopData(2),
            static fn (array $r): bool => $r['product_id'] === $ids[0]));
        $this->assertSame(['3.50', '1.250000'], [$rows[0]['price'], $rows[0]['avgInvoicedSelfCost']]);
    }

    /** @dataProvider pageSizes */
    public function testProductIteratorsFollowAnyPageSize(int $pageSize, int $products): void
    {
        $this->emulator->configure(['page_size' => $pageSize]);
        $items = [];
        for ($i = 0; $i < $products; $i++) {
            $items[] = ['id' => "page-$i", 'deleted' => false, 'name' => "Товар $i", 'measure' => 'pcs',
                'for_sale' => true, 'tax_id' => 1, 'menus' => []];
        }
        $client = $this->client();
        $client->importMenuPart(['update_balances' => false, 'categories' => [], 'menus' => [], 'taxes' => [],
            'shops' => [], 'items' => $items]);
        $pages = [];
        foreach ($client->iterateProductPages(2) as $page) {
            $pages[] = count($page);
        }
        $total = array_sum($pages);
        $this->assertGreaterThanOrEqual($products, $total);
        $this->assertSame($pageSize, max($pages));
        $this->assertSame(intdiv($total + $pageSize - 1, $pageSize), count($pages));
        $this->assertSame($total, iterator_count($client->iterateProducts(2)));
        $this->assertCount($total, $client->getAllProducts(2));
    }

    public static function pageSizes(): array
    {
        return ['pages of 100' => [100, 250], 'pages of 1 000' => [1000, 1100]];
    }
}
