<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\Exception\ApiException;
use Caffesta\Exception\AuthenticationException;
use Caffesta\Exception\ProtocolException;
use Caffesta\Exception\ServerException;
use Caffesta\Tests\Support\Emulator;
use Caffesta\Tests\Support\EmulatorTestCase;

/** Every named call turns the server's failures into the exceptions of the other calls. */
final class NamedCallErrorTest extends EmulatorTestCase
{
    /** @return array<string, array{\Closure(Client): mixed}> */
    public function calls(): array
    {
        $invoice = self::sample('invoice_create.request.json');
        $order = self::sample('order_create.request.json');
        $menu = self::sample('menu_import.request.json');
        return [
            'listStorages' => [fn (Client $c) => $c->listStorages()],
            'getStorageStock' => [fn (Client $c) => $c->getStorageStock(1)],
            'createInvoice' => [fn (Client $c) => $c->createInvoice($invoice)],
            'wireInvoice' => [fn (Client $c) => $c->wireInvoice(1)],
            'unwireInvoice' => [fn (Client $c) => $c->unwireInvoice(1)],
            'listInvoices' => [fn (Client $c) => $c->listInvoices('2018-06-01')],
            'getInvoice' => [fn (Client $c) => $c->getInvoice(1)],
            'createMove' => [fn (Client $c) => $c->createMove(['date' => '2022-06-01 15:15', 'storage_from' => ['caf_id' => 1],
                'storage_to' => ['caf_id' => 7], 'items' => [['amount' => 1, 'product_code' => '1']]])],
            'wireMove' => [fn (Client $c) => $c->wireMove(1)],
            'unwireMove' => [fn (Client $c) => $c->unwireMove(1)],
            'getProduct' => [fn (Client $c) => $c->getProduct('12345')],
            'updateProduct' => [fn (Client $c) => $c->updateProduct(4, ['name' => 'x'])],
            'updateProductByRefCode' => [fn (Client $c) => $c->updateProductByRefCode('12345', ['name' => 'x'])],
            'importMenu' => [fn (Client $c) => $c->importMenu($menu)],
            'importMenuPart' => [fn (Client $c) => $c->importMenuPart($menu)],
            'submitOrder' => [fn (Client $c) => $c->submitOrder($order)],
            'createOrder' => [fn (Client $c) => $c->createOrder($order)],
            'getOrderJobStatus' => [fn (Client $c) => $c->getOrderJobStatus(54300903)],
            'waitForOrder' => [fn (Client $c) => $c->waitForOrder(54300903, 5000)],
            'waitForOrder (submitted)' => [fn (Client $c) => $c->waitForOrder(['job_id' => 54300903, 'status' => 'pending'], 5000)],
            'getReceiptInfo' => [fn (Client $c) => $c->getReceiptInfo('569224f7-8f91-4142-9a7e-85a3bc24bbd9')],
            'getUpdates' => [fn (Client $c) => $c->getUpdates(2)],
            'getProductsPage' => [fn (Client $c) => $c->getProductsPage(2)],
            'getAllProducts' => [fn (Client $c) => $c->getAllProducts(2)],
            'iterateProductPages' => [fn (Client $c) => iterator_to_array($c->iterateProductPages(2))],
            'iterateProducts' => [fn (Client $c) => iterator_to_array($c->iterateProducts(2))],
            'getBalances' => [fn (Client $c) => $c->getBalances(2)],
            'getClients' => [fn (Client $c) => $c->getClients()],
            'getProductShopData' => [fn (Client $c) => $c->getProductShopData(2)],
            'getCategories' => [fn (Client $c) => $c->getCategories()],
            'getWorkspaces' => [fn (Client $c) => $c->getWorkspaces()],
            'getTaxes' => [fn (Client $c) => $c->getTaxes()],
            'getModifierGroups' => [fn (Client $c) => $c->getModifierGroups()],
            'syncChanges' => [fn (Client $c) => $c->syncChanges(2)],
            'getSalesByProduct' => [fn (Client $c) => $c->getSalesByProduct(shiftDay: '2022-04-20')],
            'getSalesByPos' => [fn (Client $c) => $c->getSalesByPos('2022-04-20', '2022-04-21')],
            'getSalesByPos (by terminal)' => [fn (Client $c) => $c->getSalesByPos(shiftDay: '2022-04-20', groupByTerminal: true)],
            'getReceiptsByShiftDay' => [fn (Client $c) => $c->getReceiptsByShiftDay(2, '2022-04-20')],
        ];
    }

    /** @dataProvider calls */
    public function testAnErrorBodyIsAnApiError(\Closure $call): void
    {
        $this->emulator->fault(['kind' => 'body', 'json' => ['success' => false, 'data' => ['error' => 'Склад закрыт на учёт']]]);
        try {
            $call($this->client());
            $this->fail('no ApiException');
        } catch (ApiException $e) {
            $this->assertStringContainsString('Склад закрыт на учёт', $e->getMessage());
            $this->assertSame(['CAFFESTA_ERR_API', 200], [$e->getStatus(), $e->getHttpStatus()]);
        }
        $this->assertCount(1, $this->apiRequests());
    }

    /** @dataProvider calls */
    public function testAWrongKeyIsAnAuthenticationError(\Closure $call): void
    {
        $this->expectException(AuthenticationException::class);
        $call($this->client([], 'wrong-' . Emulator::API_KEY));
    }

    /** @dataProvider calls */
    public function testAnHtmlPageIsAProtocolError(\Closure $call): void
    {
        $this->emulator->fault(['kind' => 'html200']);
        $this->expectException(ProtocolException::class);
        $call($this->client());
    }

    public function testServerErrorsAreRetriedOnlyWhenSafe(): void
    {
        $client = $this->client(['max_retries' => 2]);
        $this->emulator->fault(['kind' => 'status', 'status' => 503, 'count' => 2, 'path_prefix' => '/a/v1.0/draft/get_taxes']);
        $this->assertNotEmpty($client->getTaxes()); // a GET, retried
        $this->emulator->fault(['kind' => 'status', 'status' => 502, 'count' => 3, 'path_prefix' => '/a/v1.0/draft/storages']);
        try {
            $client->listStorages();
            $this->fail('no ServerException');
        } catch (ServerException $e) {
            $this->assertSame(502, $e->getHttpStatus());
        }
        $this->assertCount(6, $this->apiRequests());
    }
}
