<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\Exception\ApiException;
use Caffesta\Exception\NotFoundException;
use Caffesta\Tests\Support\EmulatorTestCase;

/** Products read and updated by id or ref_code, and the two menu imports (as Tests/c/test_endpoints.c). */
final class ProductTest extends EmulatorTestCase
{
    public function testGetProductByRefCode(): void
    {
        $product = $this->client()->getProduct('23452432');
        $this->assertSame(200, $product['id']);
        $this->assertSame('23452432', $product['ref_code']);
        $this->assertSame('Печенье домашнее', $product['name']);
        $this->assertSame(['id' => 2], $product['category']);
        $this->assertSame('/a/v1.0/product/by_ref_code/23452432', $this->apiRequests()[0]['path']);
    }

    public function testAMissingProductIsNotFoundAndItsRefCodeStaysOneSegment(): void
    {
        $client = $this->client();
        try {
            $client->getProduct('nope/../x');
            $this->fail('no NotFoundException');
        } catch (NotFoundException $e) {
            $this->assertSame(404, $e->getHttpStatus());
        }
        try {
            $client->updateProductByRefCode('nope/../x', ['name' => 'x']);
            $this->fail('no NotFoundException');
        } catch (NotFoundException) {
        }
        $this->expectException(NotFoundException::class);
        try {
            $client->updateProduct(777777, ['name' => 'x']);
        } finally {
            $this->assertSame(['/a/v1.0/product/by_ref_code/nope%2F%2E%2E%2Fx', '/a/v1.0/product/by_ref_code/nope%2F%2E%2E%2Fx',
                '/a/v1.0/product/777777'], array_column($this->apiRequests(), 'path'));
        }
    }

    public function testUpdateById(): void
    {
        $client = $this->client();
        $sample = self::sample('product_update_by_id.request.json');
        $result = $client->updateProduct(4, $sample);
        $this->assertSame(4, $result['id']);
        $this->assertSame($sample['name'], $client->getProduct('12345')['name']);
        $put = $this->apiRequests()[0];
        $this->assertSame(['PUT', '/a/v1.0/product/4'], [$put['method'], $put['path']]);
        $this->assertSame($sample, json_decode($put['body'], true));
    }

    public function testUpdateByRefCode(): void
    {
        $client = $this->client();
        $sample = self::sample('product_update_by_ref_code.request.json');
        $sample['name'] = 'Вино «Красное» 0,75';
        $this->assertSame(4, $client->updateProductByRefCode('12345', $sample)['id']);
        $this->assertSame('Вино «Красное» 0,75', $client->getProduct('12345')['name']);
        $this->assertSame(['PUT', '/a/v1.0/product/by_ref_code/12345'], [$this->apiRequests()[0]['method'], $this->apiRequests()[0]['path']]);
    }

    public function testTheServersRefusalOfAnUpdateIsAnApiError(): void
    {
        $this->expectException(ApiException::class);
        $this->expectExceptionMessage('prices');
        $this->client()->updateProduct(4, ['prices' => 'none']);
    }

    public function testThePartialImportRemovesNothingAndTheFullImportRemovesWhatItDoesNotList(): void
    {
        $client = $this->client();
        $before = count($client->getAllProducts(2));
        $menu = self::sample('menu_import.request.json');
        $listed = count($menu['items']);

        $client->importMenuPart($menu);
        $afterPart = count($client->getAllProducts(2));
        $this->assertGreaterThanOrEqual($before, $afterPart);
        $this->assertSame($before + $listed, $afterPart); // the sample's items are new

        $client->importMenu($menu);
        $afterFull = count($client->getAllProducts(2));
        $this->assertLessThanOrEqual($listed, $afterFull);
        $this->assertLessThan($afterPart, $afterFull);
        $this->assertSame(['/a/v1.0/product/import_part_menu', '/a/v1.0/product/import'],
            array_column(array_values(array_filter($this->apiRequests(), static fn (array $r): bool => $r['method'] === 'POST')), 'path'));
    }

    /** @dataProvider badCalls */
    public function testBadArgumentsAreRefusedBeforeAnyRequest(\Closure $call, string $message): void
    {
        $this->assertRefusedBeforeAnyRequest($call, $message);
    }

    public function badCalls(): array
    {
        $sample = self::sample('product_update_by_id.request.json');
        return [
            'get by an empty ref_code' => [fn (Client $c) => $c->getProduct(''), 'ref_code'],
            'get by a ref_code with NUL' => [fn (Client $c) => $c->getProduct("a\0b"), 'ref_code contains a NUL byte'],
            'update id 0' => [fn (Client $c) => $c->updateProduct(0, $sample), 'product_id'],
            'update a negative id' => [fn (Client $c) => $c->updateProduct(-4, $sample), 'product_id'],
            'update with a list' => [fn (Client $c) => $c->updateProduct(4, [1]), 'object'],
            'update with bad UTF-8' => [fn (Client $c) => $c->updateProduct(4, ['name' => "\xc3"]), 'fields cannot be encoded as JSON'],
            'update by an empty ref_code' => [fn (Client $c) => $c->updateProductByRefCode('', $sample), 'ref_code'],
            'update by ref_code with a list' => [fn (Client $c) => $c->updateProductByRefCode('12345', ['x']), 'object'],
            'import items not a list' => [fn (Client $c) => $c->importMenu(['items' => 5]), 'items'],
            'import item without id' => [fn (Client $c) => $c->importMenuPart(['items' => [['name' => 'no id']]]), 'id'],
            'import a list' => [fn (Client $c) => $c->importMenu([['id' => '1']]), 'object'],
        ];
    }
}
