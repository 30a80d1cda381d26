<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\Exception\InvalidArgumentException;
use Caffesta\Tests\Support\EmulatorTestCase;

/**
 * JSON as written (issue 11): the binding writes the shortest form (json_encode with
 * serialize_precision -1, whatever php.ini says), the library sends it byte for byte, and answers
 * come back as the server wrote them, so PHP reads what json_decode reads from the server's text.
 */
final class JsonTextTest extends EmulatorTestCase
{
    private const OK_ANSWER = '{"success":true,"data":{"id":5,"job_id":9,"status":"pending"}}';
    private const TRICKY_TEXT = '"price":7.6,"cost":0.1,"x":[0.6,19.99,123456789.12,1.0e-7,-0.0,1.2345678901234567e+19],'
        . '"name":"Кофе é é","z":{"b":1,"a":2}';

    private static function tricky(): array
    {
        return ['price' => 7.6, 'cost' => 0.1, 'x' => [0.6, 19.99, 123456789.12, 1e-7, -0.0, 12345678901234567890],
            'name' => "Кофе é \u{e9}", 'z' => ['b' => 1, 'a' => 2]];
    }

    private function answerNext(string $body, int $count = 1): void
    {
        $this->emulator->fault(['kind' => 'body', 'path_prefix' => '/', 'body' => $body, 'count' => $count]);
    }

    private function lastBody(): string
    {
        $requests = $this->apiRequests();
        return end($requests)['body'];
    }

    /** @return array<string, array{callable(Client): mixed}> */
    public static function writes(): array
    {
        $product = ['ref_code' => 'json-1'] + self::tricky();
        $item = self::tricky();
        return [
            'upsertProduct' => [fn (Client $c) => $c->upsertProduct($product)],
            'upsertProducts' => [fn (Client $c) => $c->upsertProducts([$product], 2)],
            'updateProduct' => [fn (Client $c) => $c->updateProduct(5, $product)],
            'updateProductByRefCode' => [fn (Client $c) => $c->updateProductByRefCode('json-1', $product)],
            'importMenu' => [fn (Client $c) => $c->importMenu(['items' => [['id' => 'json-1'] + $item]])],
            'importMenuPart' => [fn (Client $c) => $c->importMenuPart(['items' => [['id' => 'json-1'] + $item]])],
            'createInvoice' => [fn (Client $c) => $c->createInvoice(['number' => '1', 'date' => '2024-01-02 10:00',
                'storage' => ['caf_id' => 1], 'items' => [['amount' => 7.6, 'product_code' => 'p'] + $item]])],
            'createMove' => [fn (Client $c) => $c->createMove(['storage_from' => ['caf_id' => 1],
                'storage_to' => ['caf_id' => 2], 'items' => [['amount' => 0.6, 'product_code' => 'p'] + $item]])],
            'createOrder' => [fn (Client $c) => $c->createOrder(['bill' => ['total_sum' => 19.99, 'items' => [
                ['count' => 1, 'total_sum' => 19.99, 'product_id' => 1] + $item]]])],
            'request' => [fn (Client $c) => $c->request('POST', '/a/v1.0/product/', $product)],
        ];
    }

    /** @dataProvider writes */
    public function testEveryWriteSendsTheShortestForm(callable $write): void
    {
        $old = ini_set('serialize_precision', '17');  // a php.ini that asks for 17 digits
        try {
            $this->answerNext(self::OK_ANSWER);
            $write($this->client());
            $this->assertSame('17', ini_get('serialize_precision'), 'the caller\'s setting is left as it was');
        } finally {
            ini_set('serialize_precision', (string) $old);
        }
        $this->assertStringContainsString(self::TRICKY_TEXT, $this->lastBody());
    }

    public function testAnswersReadAsJsonDecodeReadsTheServersText(): void
    {
        $client = $this->client();
        $data = '{"z":7.6,"big":12345678901234567890,"a":[1E+2,-0.0],"s":"\u00e9 é"}';
        $answer = '{"code" : "ok", "data": ' . $data . '}';
        $decode = fn (string $t) => json_decode($t, true, 512, JSON_BIGINT_AS_STRING | JSON_THROW_ON_ERROR);
        $this->answerNext($answer);
        $this->assertSame($decode($answer), $client->request('GET', '/a/v1.0/draft/get_taxes'));
        $this->answerNext($answer);
        $product = $client->getProduct('json-1');
        $this->assertSame($decode($data), $product);
        $this->assertSame(['z', 'big', 'a', 's'], array_keys($product));
        $this->assertSame('12345678901234567890', $product['big']);
        $this->assertSame(7.6, $product['z']);
        $this->answerNext('{"success":true,"data":{"id":12345678901234567890}}');
        $this->assertSame('12345678901234567890', $client->upsertProduct(['ref_code' => 'big'])['id']);
    }

    public function testAGetOrDeleteTakesNoBody(): void
    {
        $client = $this->client();
        foreach (['GET', 'DELETE'] as $method) {
            try {
                $client->request($method, '/a/v1.0/product/1', ['a' => 1]);
                $this->fail("$method with a body was sent");
            } catch (InvalidArgumentException $e) {
                $this->assertStringContainsString($method, $e->getMessage());
            }
        }
        $this->assertSame([], $this->apiRequests());
    }
}
