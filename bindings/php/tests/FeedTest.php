<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\Exception\NotFoundException;
use Caffesta\Exception\ProtocolException;
use Caffesta\Tests\Support\EmulatorTestCase;

/** The update feeds of a POS: pagination, the generators, deleted products, the incremental-sync helper. */
final class FeedTest extends EmulatorTestCase
{
    private const POS = 2;
    private const PAGE_PATH = '/a/v1.0/draft/get_products0/';

    /** 250 more products than the seed's: three pages of 100 (the emulator's page size, set here). */
    private function addPageProducts(Client $client): void
    {
        $this->emulator->configure(['page_size' => 100]);
        $products = [];
        for ($i = 0; $i < 250; $i++) {
            $products[] = self::product(sprintf('page-%03d', $i), "Товар $i");
        }
        $report = $client->upsertProducts($products);
        $this->assertSame(array_fill(0, 250, 'created'), array_column($report, 'action'));
    }

    private function pageRequests(): array
    {
        return array_values(array_filter(array_column($this->apiRequests(), 'path'),
            static fn (string $path): bool => str_starts_with($path, self::PAGE_PATH)));
    }

    public function testPagesFollowedToTheEndGiveEveryProduct(): void
    {
        $client = $this->client();
        $this->addPageProducts($client);
        $all = $client->getAllProducts(self::POS);
        $total = count($all);
        $this->assertGreaterThanOrEqual(257, $total);
        $this->assertSame(count($all), count(array_unique(array_column($all, 'id'))));

        $paged = [];
        $startId = 0;
        $pages = 0;
        do {
            $page = $client->getProductsPage(self::POS, $startId);
            $pages++;
            array_push($paged, ...$page['items']);
            if ($page['next_start_id'] !== null) {
                $this->assertGreaterThan($startId, $page['next_start_id']);
                $startId = $page['next_start_id'];
            }
        } while ($page['next_start_id'] !== null && $pages < 10);
        $this->assertSame(4, $pages); // three pages of products, then the empty one
        $this->assertSame($all, $paged);
        $this->assertSame(['/a/v1.0/draft/get_products0/2/0/0', '/a/v1.0/draft/get_products0/2/' . $all[99]['id'] . '/0'],
            array_slice(array_slice($this->pageRequests(), -4), 0, 2)); // start_id: the last id of the page before
    }

    public function testTheGeneratorsYieldWhatTheAllPagesCallGives(): void
    {
        $client = $this->client();
        $this->addPageProducts($client);
        $all = $client->getAllProducts(self::POS);
        $this->emulator->clearRequests();

        $pages = iterator_to_array($client->iterateProductPages(self::POS));
        $this->assertCount(3, $pages); // the empty last page is not yielded
        $this->assertSame([100, 100, count($all) - 200], array_map('count', array_values($pages)));
        $this->assertSame($all, array_merge(...array_values($pages)));
        $this->assertSame(0, array_key_first($pages)); // keyed by the page's start_id
        $this->assertCount(4, $this->pageRequests());

        $this->assertSame($all, iterator_to_array($client->iterateProducts(self::POS)));
    }

    public function testTheGeneratorFetchesAPageOnlyWhenItIsNeeded(): void
    {
        $client = $this->client();
        $this->addPageProducts($client);
        $this->emulator->clearRequests();

        $products = $client->iterateProducts(self::POS);
        $this->assertSame([], $this->pageRequests()); // nothing before the first product is asked for
        $first = $products->current();
        $this->assertSame(1, $first['id']);
        $this->assertCount(1, $this->pageRequests());
        $seen = 0;
        foreach ($products as $product) {
            if (++$seen === 100) {
                break;
            }
        }
        $this->assertCount(1, $this->pageRequests());
        $products->next();
        $this->assertCount(2, $this->pageRequests());
    }

    public function testADeletedProductComesOnlyWhenTsIsNotZero(): void
    {
        $client = $this->client();
        $productsTs = $client->getUpdates(self::POS)['products'];
        $this->assertIsInt($productsTs);
        $this->addPageProducts($client);
        $total = count($client->getAllProducts(self::POS));

        $this->emulator->deleteProduct('page-007');
        $this->assertGreaterThan($productsTs, $client->getUpdates(self::POS)['products']);
        $everything = $client->getAllProducts(self::POS);
        $this->assertCount($total - 1, $everything);
        $this->assertSame([], array_filter($everything, static fn (array $p): bool => $p['deleted']));
        $this->assertSame($everything, iterator_to_array($client->iterateProducts(self::POS)));

        $changed = $client->getAllProducts(self::POS, $productsTs);
        $deleted = array_values(array_filter($changed, static fn (array $p): bool => $p['deleted']));
        $this->assertCount(1, $deleted);
        $this->assertSame('Товар 7', $deleted[0]['name']);
        $this->assertSame($changed, iterator_to_array($client->iterateProducts(self::POS, $productsTs)));
        $this->assertContains($deleted[0], $client->getProductsPage(self::POS, 0, $productsTs)['items']);
        $this->assertStringEndsWith("/$productsTs", $this->pageRequests()[array_key_last($this->pageRequests())]);
    }

    public function testTheOtherFeeds(): void
    {
        $client = $this->client();
        $updates = $client->getUpdates(self::POS);
        foreach (['categories', 'menus', 'products', 'balances', 'clients', 'taxes', 'workspaces'] as $section) {
            $this->assertIsInt($updates[$section], $section);
        }
        $balances = $client->getBalances(self::POS);
        $this->assertContains(['balance' => '50.000', 'self_cost' => '0.245614', 'product_id' => 2], $balances);
        $this->assertSame([], $client->getBalances(self::POS, $updates['balances'] + 1)); // ts is inclusive
        $this->assertContains('Сидор', array_column($client->getClients(), 'name'));
        $this->assertSame([], $client->getClients($updates['clients'] + 1));
        $this->assertContains('Напитки', array_column($client->getCategories(), 'name'));
        $this->assertContains('Кухня', array_column($client->getWorkspaces(), 'name'));
        $this->assertContains('НДС', array_column($client->getTaxes(), 'name'));
        $this->assertSame('Сиропы', $client->getModifierGroups()[0]['name']);
        $shopData = $client->getProductShopData(self::POS);
        $this->assertNotEmpty($shopData);
        $this->assertSame(['price', 'avgInvoicedSelfCost', 'availableForSale', 'inStopList', 'shop_id', 'product_id'],
            array_keys($shopData[0]));
        $this->assertSame([
            '/a/v1.0/draft/get_updates/2', '/a/v1.0/draft/get_balances/2/0', '/a/v1.0/draft/get_balances/2/' . ($updates['balances'] + 1),
            '/a/v1.0/draft/get_clients/0', '/a/v1.0/draft/get_clients/' . ($updates['clients'] + 1), '/a/v1.0/draft/get_categories',
            '/a/v1.0/draft/get_workspaces', '/a/v1.0/draft/get_taxes', '/a/v1.0/draft/get_modifier_groups',
            '/a/v1.0/draft/get_product_shop_data/2/0',
        ], array_column($this->apiRequests(), 'path'));
    }

    public function testAnUnknownPosIsNotFound(): void
    {
        $client = $this->client();
        foreach ([fn () => $client->getUpdates(999), fn () => $client->getProductsPage(999), fn () => $client->getAllProducts(999),
            fn () => iterator_to_array($client->iterateProductPages(999)), fn () => $client->getBalances(999),
            fn () => $client->getProductShopData(999), fn () => $client->syncChanges(999)] as $i => $call) {
            try {
                $call();
                $this->fail("call $i: no NotFoundException");
            } catch (NotFoundException $e) {
                $this->assertStringContainsString('pos not found', $e->getMessage());
            }
        }
    }

    public function testAPageThatDoesNotMoveForwardStopsTheGenerator(): void
    {
        $this->emulator->fault(['kind' => 'body', 'path_prefix' => '/a/v1.0/draft/get_products0/2/5/0',
            'json' => ['code' => 'ok', 'data' => [['id' => 3, 'name' => 'x']]], 'count' => 5]);
        $this->emulator->fault(['kind' => 'body', 'path_prefix' => '/a/v1.0/draft/get_products0/2/0/0',
            'json' => ['code' => 'ok', 'data' => [['id' => 5, 'name' => 'y']]], 'count' => 5]);
        $client = $this->client();
        $page = $client->getProductsPage(self::POS);
        $this->assertSame(5, $page['next_start_id']);
        $this->expectException(ProtocolException::class);
        $this->expectExceptionMessage('start_id 5'); // the library's check, or the generator's own
        foreach ($client->iterateProductPages(self::POS) as $startId => $items) {
            $this->assertSame(0, $startId);
        }
    }

    public function testIncrementalSyncOverASequenceOfChanges(): void
    {
        $client = $this->client();
        $first = $client->syncChanges(self::POS);
        foreach (['products', 'balances', 'clients', 'categories'] as $section) {
            $this->assertContains($section, $first['changed']);
        }
        $this->assertGreaterThanOrEqual(7, count($first['data']['products']));
        $this->assertSame($client->getUpdates(self::POS), $first['timestamps']);
        $known = $first['timestamps'];

        $second = $client->syncChanges(self::POS, $known);
        $this->assertSame([], $second['changed']);
        $this->assertSame([], $second['data']);
        $this->assertSame($known, $second['timestamps']);

        // A new product: only products (and what it touched) changed, and only their feeds come.
        $this->emulator->clearRequests();
        $client->upsertProduct(self::product('sync-new', 'Новинка'));
        $third = $client->syncChanges(self::POS, $known);
        $this->assertContains('products', $third['changed']);
        $this->assertNotContains('clients', $third['changed']);
        $this->assertNotContains('balances', $third['changed']);
        $this->assertContains('Новинка', array_column($third['data']['products'], 'name'));
        $this->assertArrayNotHasKey('clients', $third['data']);
        $this->assertArrayNotHasKey('balances', $third['data']);
        $this->assertSame([], array_filter(array_column($this->apiRequests(), 'path'),
            static fn (string $p): bool => str_contains($p, 'get_clients') || str_contains($p, 'get_balances')));
        $known = $third['timestamps'];

        // A loyalty client and a stock balance change; then a product is deleted.
        $this->emulator->admin('POST', 'clients', ['name' => 'Пётр', 'last_name' => 'Петров']);
        $this->emulator->admin('POST', 'stock', ['storage_id' => 1, 'ref_code' => 'sync-new', 'balance' => 12]);
        $fourth = $client->syncChanges(self::POS, $known);
        $this->assertContains('clients', $fourth['changed']);
        $this->assertContains('balances', $fourth['changed']);
        $this->assertNotContains('products', $fourth['changed']);
        $this->assertContains('Пётр', array_column($fourth['data']['clients'], 'name'));
        $this->assertNotEmpty($fourth['data']['balances']);
        $this->assertArrayNotHasKey('products', $fourth['data']);
        $known = $fourth['timestamps'];

        $this->emulator->deleteProduct('sync-new');
        $fifth = $client->syncChanges(self::POS, $known);
        $this->assertSame(['products'], $fifth['changed']);
        $this->assertSame([['Новинка', true]], array_map(static fn (array $p): array => [$p['name'], $p['deleted']],
            $fifth['data']['products']));
        $this->assertSame([], $client->syncChanges(self::POS, $fifth['timestamps'])['changed']);
    }

    /** @dataProvider badCalls */
    public function testBadArgumentsAreRefusedBeforeAnyRequest(\Closure $call, string $message): void
    {
        $this->assertRefusedBeforeAnyRequest($call, $message);
    }

    public function badCalls(): array
    {
        return [
            'updates of POS 0' => [fn (Client $c) => $c->getUpdates(0), 'pos_id'],
            'page from -1' => [fn (Client $c) => $c->getProductsPage(2, -1), 'start_id'],
            'page of POS -2' => [fn (Client $c) => $c->getProductsPage(-2), 'pos_id'],
            'page since -1' => [fn (Client $c) => $c->getProductsPage(2, 0, -1), 'ts'],
            'all since -5' => [fn (Client $c) => $c->getAllProducts(2, -5), 'ts'],
            'generator of POS 0' => [fn (Client $c) => iterator_to_array($c->iterateProductPages(0)), 'pos_id'],
            'generator since -1' => [fn (Client $c) => iterator_to_array($c->iterateProducts(2, -1)), 'ts'],
            'balances of POS -2' => [fn (Client $c) => $c->getBalances(-2), 'pos_id'],
            'clients since -1' => [fn (Client $c) => $c->getClients(-1), 'ts'],
            'shop data of POS 0' => [fn (Client $c) => $c->getProductShopData(0), 'pos_id'],
            'sync with a negative ts' => [fn (Client $c) => $c->syncChanges(2, ['products' => -1]), 'products'],
            'sync with a text ts' => [fn (Client $c) => $c->syncChanges(2, ['products' => 'yesterday']), 'products'],
            'sync with a list' => [fn (Client $c) => $c->syncChanges(2, [1, 2]), 'known'],
            'sync of POS 0' => [fn (Client $c) => $c->syncChanges(0), 'pos_id'],
        ];
    }
}
