<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\Exception\InvalidArgumentException;
use Caffesta\Tests\Support\Emulator;
use Caffesta\Tests\Support\EmulatorTestCase;

/** Every method and option of Client against the emulator. */
final class ClientTest extends EmulatorTestCase
{
    public function testAuthTestSendsTheKeyToTheTestPath(): void
    {
        $this->client()->authTest();
        $requests = $this->apiRequests();
        $this->assertCount(1, $requests);
        $this->assertSame('GET', $requests[0]['method']);
        $this->assertSame('/a/v1.0/storage/test', $requests[0]['path']);
        $this->assertSame(Emulator::API_KEY, $requests[0]['headers']['x-api-key']);
    }

    public function testUpsertCreatesThenUpdates(): void
    {
        $client = $this->client();
        $created = $client->upsertProduct(self::product('latte', 'Латте', 4.5));
        $this->assertSame('created', $created['action']);
        $this->assertSame('latte', $created['ref_code']);
        $this->assertIsInt($created['id']);

        $updated = $client->upsertProduct(self::product('latte', 'Латте большой', 5.0));
        $this->assertSame(['id' => $created['id'], 'ref_code' => 'latte', 'action' => 'updated'], $updated);

        $read = $client->request('GET', '/a/v1.0/product/by_ref_code/latte');
        $this->assertTrue($read['success']);
        $this->assertSame('Латте большой', $read['data']['name']);
        $this->assertSame($created['id'], $read['data']['id']);
    }

    public function testJsonGoesOutUnescapedAndWithZeroFractions(): void
    {
        $this->client()->upsertProduct(self::product('a/b', 'Чай «Эрл Грей»', 2.0));
        $put = $this->apiRequests()[0];
        $this->assertSame('PUT', $put['method']);
        $this->assertStringContainsString('"name":"Чай «Эрл Грей»"', $put['body']);
        $this->assertStringContainsString('"ref_code":"a/b"', $put['body']);
        $this->assertStringContainsString('"price":2.0', $put['body']);
    }

    public function testANulInsideAValueGoesOutEscapedAndComesBack(): void
    {
        $client = $this->client();
        $client->upsertProduct(self::product('nul-inside', "Лат\0те"));
        $this->assertStringContainsString('"name":"Лат\\u0000те"', $this->apiRequests()[0]['body']);
        $this->assertSame("Лат\0те", $client->getProduct('nul-inside')['name']);
    }

    public function testRequestReturnsTheWholeAnswerDecoded(): void
    {
        $client = $this->client();
        $this->assertSame(['success' => true, 'data' => ['id' => 'test']], $client->request('GET', '/a/v1.0/storage/test'));
        $storages = $client->request('GET', '/a/v1.0/draft/storages');
        $this->assertIsArray($storages);
        $this->assertStringContainsString('(id:1)', $storages[1]);
    }

    public function testRequestSendsBodiesAsJson(): void
    {
        $client = $this->client();
        $answer = $client->request('POST', '/a/v1.0/product/', self::product('mocha', 'Мокко'));
        $this->assertTrue($answer['success']);
        $id = $answer['data']['id'];
        $answer = $client->request('PUT', "/a/v1.0/product/$id", ['name' => 'Мокко XL', 'prices' => []]);
        $this->assertTrue($answer['success']);
        $this->assertSame('Мокко XL', $client->request('GET', '/a/v1.0/product/by_ref_code/mocha')['data']['name']);

        $log = $this->apiRequests();
        $this->assertSame(['POST', 'PUT', 'GET'], array_column($log, 'method'));
        $this->assertSame('{"name":"Мокко XL","prices":[]}', $log[1]['body']);
        $this->assertSame('', $log[2]['body']);
    }

    public function testAnEmptyArrayBodyIsSentAsAnObject(): void
    {
        $client = $this->client();
        try {
            $client->request('POST', '/a/v1.0/product/', []);
            $this->fail('an empty product was accepted');
        } catch (\Caffesta\Exception\ApiException $e) {
            $this->assertStringContainsString('ref_code is required', $e->getMessage());
        }
        $this->assertSame('{}', $this->apiRequests()[0]['body']);

        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage('ref_code');
        $client->upsertProduct([]);
    }

    public function testAnEmptyObjectDeeperInsideIsAStdClass(): void
    {
        $client = $this->client();
        $product = self::product('empty-obj') + ['extra' => new \stdClass()];
        $client->upsertProduct($product);
        $this->assertStringContainsString('"extra":{}', $this->apiRequests()[0]['body']);
    }

    public function testOptionsReachTheLibrary(): void
    {
        $client = $this->client([
            'timeout_ms' => 5000,
            'connect_timeout_ms' => 1000,
            'max_retries' => 0,
            'ca_file' => null,
            'max_response_size' => 1024,
        ]);
        $client->authTest();
        $this->emulator->fault(['kind' => 'oversize', 'size_bytes' => 4096, 'path_prefix' => '/a/v1.0/storage/test']);
        $this->expectException(\Caffesta\Exception\ProtocolException::class);
        $client->authTest();
    }

    public function testProxyDirectIgnoresTheEnvironmentAndADeadProxyIsAProxyException(): void
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr(stream_socket_get_name($socket, false), ':'), 1);
        fclose($socket); // nobody listens there any more
        $proxy = "http://alice:s3cret@127.0.0.1:$port";
        putenv("http_proxy=$proxy");
        try {
            $this->client(['proxy' => 'direct'])->authTest(); // no proxy, whatever http_proxy says
            try {
                $this->client()->authTest();
                $this->fail('the proxy from http_proxy was not used');
            } catch (\Caffesta\Exception\ProxyException $e) {
                $this->assertStringContainsString('could not connect to the proxy http://alice@127.0.0.1:', $e->getMessage());
                $this->assertStringNotContainsString('s3cret', $e->getMessage());
            }
        } finally {
            putenv('http_proxy');
        }
        $this->expectException(\Caffesta\Exception\ProxyException::class);
        $this->client(['proxy' => $proxy])->authTest();
    }

    public function testTimeoutAloneBelowTheDefaultConnectTimeoutWorks(): void
    {
        $this->client(['timeout_ms' => 500])->authTest();
        $this->addToAssertionCount(1);
    }

    /** One rule in C, Python and PHP: a connect timeout above the call's timeout is refused, never shortened. */
    public function testAConnectTimeoutAboveTheTimeoutIsRefused(): void
    {
        try {
            $this->client(['connect_timeout_ms' => 70_000]);   // above the default timeout of 60 000
            $this->fail('a connect timeout above the timeout was accepted');
        } catch (\Caffesta\Exception\InvalidArgumentException $e) {
            $this->assertSame('connect_timeout_ms (70000) must not exceed timeout_ms (60000)', $e->getMessage());
        }
        $this->client(['connect_timeout_ms' => 1_000, 'timeout_ms' => 1_000])->authTest();
    }

    public function testRetriesResendWhatIsSafe(): void
    {
        $this->emulator->fault(['kind' => 'status', 'status' => 503, 'path_prefix' => '/a/v1.0/storage/test', 'count' => 2]);
        $this->client(['max_retries' => 2])->authTest();
        $this->assertCount(3, $this->apiRequests());
    }

    public function testCloseIsIdempotentAndLaterCallsFail(): void
    {
        $client = $this->client();
        $client->close();
        $client->close();
        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage('the client is closed');
        $client->authTest();
    }

    public function testUnsetFreesTheClient(): void
    {
        $client = $this->client();
        $ref = \WeakReference::create($client);
        unset($client);
        $this->assertNull($ref->get());
    }

    /** @dataProvider badOptions */
    public function testBadOptionsAreInvalidArguments(array $options, string $message): void
    {
        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage($message);
        $this->client($options);
    }

    public function badOptions(): array
    {
        return [
            'unknown' => [['timeout' => 5], 'unknown option timeout'],
            'string for int' => [['timeout_ms' => '500'], 'option timeout_ms must be an int, not string'],
            'int for string' => [['base_url' => 8080], 'option base_url must be a string, not int'],
            'negative timeout' => [['timeout_ms' => -1], 'timeouts must be positive'],
            'connect over timeout' => [['timeout_ms' => 100, 'connect_timeout_ms' => 200], 'must not exceed timeout_ms'],
            'retries over 10' => [['max_retries' => 11], 'max_retries must be 0 to 10'],
            'retries past C int' => [['max_retries' => 1 << 32], 'max_retries must be 0 to 10'],
            'ftp url' => [['base_url' => 'ftp://127.0.0.1/'], 'base_url'],
            'url with query' => [['base_url' => 'http://127.0.0.1:1/?x=1'], 'base_url'],
            'empty ca_file' => [['ca_file' => ''], 'ca_file'],
            'small response limit' => [['max_response_size' => 100], 'max response size'],
            'NUL in base_url' => [['base_url' => "http://127.0.0.1\0.evil.com/"], 'base_url contains a NUL byte'],
            'NUL in ca_file' => [['ca_file' => "/etc/ssl/ca.pem\0x"], 'ca_file contains a NUL byte'],
            'ftp proxy' => [['proxy' => 'ftp://127.0.0.1:21'], 'proxy must be "direct" or start with http://'],
            'int for proxy' => [['proxy' => 3128], 'option proxy must be a string, not int'],
        ];
    }
}
