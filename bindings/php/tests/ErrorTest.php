<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\Exception\ApiException;
use Caffesta\Exception\AuthenticationException;
use Caffesta\Exception\CaffestaException;
use Caffesta\Exception\HttpException;
use Caffesta\Exception\InvalidArgumentException;
use Caffesta\Exception\NetworkException;
use Caffesta\Exception\NotFoundException;
use Caffesta\Exception\ProtocolException;
use Caffesta\Exception\RateLimitException;
use Caffesta\Exception\ServerException;
use Caffesta\Exception\TimeoutException;
use Caffesta\Exception\TlsException;
use Caffesta\Tests\Support\Emulator;
use Caffesta\Tests\Support\EmulatorTestCase;

/** Every exception class, reached through a real fault or bad input. */
final class ErrorTest extends EmulatorTestCase
{
    private const TEST_PATH = '/a/v1.0/storage/test';

    /** Runs $call and returns what it threw, checked against the class, status and HTTP status. */
    private function thrown(callable $call, string $class, string $status, int $httpStatus): CaffestaException
    {
        try {
            $call();
        } catch (CaffestaException $e) {
            $this->assertSame($class, get_class($e), $e->getMessage());
            $this->assertSame($status, $e->getStatus());
            $this->assertSame($httpStatus, $e->getHttpStatus());
            $this->assertNotSame('', $e->getMessage());
            $this->assertStringNotContainsString(Emulator::API_KEY, $e->getMessage());
            return $e;
        }
        $this->fail("no $class");
    }

    public function testWrongKeyIsAnAuthenticationError(): void
    {
        $e = $this->thrown(fn () => $this->client([], 'wrong-key-0123456789')->authTest(),
            AuthenticationException::class, 'CAFFESTA_ERR_UNAUTHORIZED', 401);
        $this->assertSame(5, $e->getCode());
        $this->assertStringNotContainsString('wrong-key-0123456789', $e->getMessage());
    }

    public function testForbiddenIsAnAuthenticationError(): void
    {
        $this->emulator->fault(['kind' => 'status', 'status' => 403, 'path_prefix' => self::TEST_PATH]);
        $this->thrown(fn () => $this->client()->authTest(), AuthenticationException::class, 'CAFFESTA_ERR_UNAUTHORIZED', 403);
    }

    public function testUnknownPathIsNotFound(): void
    {
        $e = $this->thrown(fn () => $this->client()->request('GET', '/a/v1.0/no/such/path'),
            NotFoundException::class, 'CAFFESTA_ERR_NOT_FOUND', 404);
        $this->assertStringContainsString('/a/v1.0/no/such/path', $e->getMessage());
    }

    public function testTooManyRequestsIsARateLimitError(): void
    {
        $this->emulator->fault(['kind' => 'status', 'status' => 429, 'retry_after' => 0, 'path_prefix' => self::TEST_PATH]);
        $this->thrown(fn () => $this->client(['max_retries' => 0])->authTest(),
            RateLimitException::class, 'CAFFESTA_ERR_RATE_LIMITED', 429);
    }

    public function testServerErrorsAreServerErrors(): void
    {
        foreach ([500, 503] as $status) {
            $this->emulator->fault(['kind' => 'status', 'status' => $status, 'path_prefix' => self::TEST_PATH]);
            $this->thrown(fn () => $this->client(['max_retries' => 0])->authTest(),
                ServerException::class, 'CAFFESTA_ERR_SERVER', $status);
        }
    }

    public function testAnHtmlBadGatewayIsAServerError(): void
    {
        $this->emulator->fault(['kind' => 'html', 'status' => 502, 'path_prefix' => self::TEST_PATH]);
        $this->thrown(fn () => $this->client(['max_retries' => 0])->authTest(), ServerException::class, 'CAFFESTA_ERR_SERVER', 502);
    }

    public function testAnyOtherStatusIsAnHttpError(): void
    {
        $this->emulator->fault(['kind' => 'status', 'status' => 418, 'path_prefix' => self::TEST_PATH]);
        $this->thrown(fn () => $this->client()->authTest(), HttpException::class, 'CAFFESTA_ERR_HTTP', 418);
    }

    public function testAMissingRequiredFieldIsAnApiError(): void
    {
        $product = self::product('no-name');
        unset($product['name']);
        $e = $this->thrown(fn () => $this->client()->upsertProduct($product), ApiException::class, 'CAFFESTA_ERR_API', 200);
        $this->assertStringContainsString('name is required', $e->getMessage());
    }

    public function testAnApiErrorThroughRequest(): void
    {
        $e = $this->thrown(fn () => $this->client()->request('PUT', '/a/v1.0/storage/invoices/999999', ['action' => 'dance']),
            ApiException::class, 'CAFFESTA_ERR_API', 200);
        $this->assertStringContainsString('action', $e->getMessage());
    }

    public function testHtmlInsteadOfJsonIsAProtocolError(): void
    {
        $this->emulator->fault(['kind' => 'html200', 'path_prefix' => self::TEST_PATH]);
        $this->thrown(fn () => $this->client()->authTest(), ProtocolException::class, 'CAFFESTA_ERR_PROTOCOL', 200);
    }

    public function testAnEmptyAnswerIsAProtocolError(): void
    {
        $this->emulator->fault(['kind' => 'empty', 'path_prefix' => '/a/v1.0/draft/storages']);
        $this->thrown(fn () => $this->client()->request('GET', '/a/v1.0/draft/storages'),
            ProtocolException::class, 'CAFFESTA_ERR_PROTOCOL', 200);
    }

    public function testAClosedPortIsANetworkError(): void
    {
        $client = new Client('demo', Emulator::API_KEY, ['base_url' => Emulator::closedPortUrl(), 'max_retries' => 0]);
        $this->thrown(fn () => $client->authTest(), NetworkException::class, 'CAFFESTA_ERR_NETWORK', 0);
    }

    public function testAConnectionClosedMidAnswerIsANetworkError(): void
    {
        $this->emulator->fault(['kind' => 'close', 'path_prefix' => self::TEST_PATH, 'count' => 10]);
        $this->thrown(fn () => $this->client(['max_retries' => 0])->authTest(), NetworkException::class, 'CAFFESTA_ERR_NETWORK', 0);
    }

    public function testAHangPastTheDeadlineIsATimeout(): void
    {
        $this->emulator->fault(['kind' => 'hang', 'delay_ms' => 5000, 'path_prefix' => self::TEST_PATH]);
        $started = microtime(true);
        $this->thrown(fn () => $this->client(['timeout_ms' => 300, 'max_retries' => 0])->authTest(),
            TimeoutException::class, 'CAFFESTA_ERR_TIMEOUT', 0);
        $this->assertLessThan(3.0, microtime(true) - $started);
    }

    public function testADelayPastTheDeadlineIsATimeout(): void
    {
        $this->emulator->fault(['kind' => 'delay', 'delay_ms' => 2000, 'path_prefix' => '/a/v1.0/product/']);
        $this->thrown(fn () => $this->client(['timeout_ms' => 300])->upsertProduct(self::product('slow')),
            TimeoutException::class, 'CAFFESTA_ERR_TIMEOUT', 0);
    }

    public function testTlsToAPlainHttpPortIsATlsError(): void
    {
        $url = str_replace('http://', 'https://', $this->emulator->url());
        $this->thrown(fn () => $this->client(['base_url' => $url, 'max_retries' => 0])->authTest(),
            TlsException::class, 'CAFFESTA_ERR_TLS', 0);
    }

    /** @dataProvider badClients */
    public function testBadAccountNamesAndKeysAreRefused(string $account, string $key, string $message): void
    {
        $e = $this->thrown(fn () => new Client($account, $key), InvalidArgumentException::class, 'CAFFESTA_ERR_INVALID_ARGUMENT', 0);
        $this->assertStringContainsString($message, $e->getMessage());
    }

    /** getenv() of an unset variable (false) or '': the message names the variable and the pool's env[...] line. */
    public function testAMissingKeyOrAccountSaysSoAndHintsAtThePool(): void
    {
        $unset = getenv('CAFFESTA_TEST_SURELY_UNSET');
        $this->assertFalse($unset);
        foreach ([['demo', $unset, 'api_key is empty (false)', 'CAFFESTA_API_KEY'],
                  ['demo', '', 'api_key is empty:', 'CAFFESTA_API_KEY'],
                  [$unset, $unset, 'account_name is empty (false)', 'CAFFESTA_ACCOUNT']] as [$account, $key, $start, $variable]) {
            $e = $this->thrown(fn () => new Client($account, $key), InvalidArgumentException::class,
                'CAFFESTA_ERR_INVALID_ARGUMENT', 0);
            $this->assertStringStartsWith($start, $e->getMessage());
            $this->assertStringContainsString("env[$variable] = \$$variable", $e->getMessage());
            $this->assertStringContainsString('clear_env', $e->getMessage());
        }
    }

    /** Only the base_url option moves the key elsewhere; CAFFESTA_BASE_URL is for the caller to pass, as in Python. */
    public function testTheClientReadsNoBaseUrlFromTheEnvironment(): void
    {
        putenv('CAFFESTA_BASE_URL=' . $this->emulator->url());
        try {
            $this->assertSame('https://demo.caffesta.com', (new Client('demo', Emulator::API_KEY))->baseUrl());
            $url = getenv('CAFFESTA_BASE_URL');
            $client = new Client('demo', Emulator::API_KEY, $url ? ['base_url' => $url] : []);
            $this->assertSame($this->emulator->url(), $client->baseUrl());
            $client->authTest();
        } finally {
            putenv('CAFFESTA_BASE_URL');
        }
    }

    public function badClients(): array
    {
        return [
            'host in the name' => ['evil.com/x#', 'key', 'account_name'],
            'user info' => ['a@b', 'key', 'account_name'],
            'empty name' => ['', 'key', 'account_name'],
            'empty key' => ['demo', '', 'api_key'],
            'key with a line break' => ['demo', "key\r\nX-Evil: 1", 'api_key'],
            'NUL in the name' => ["demo\0.evil.com", 'key', 'account_name contains a NUL byte'],
            'NUL in the key' => ['demo', "key\0tail", 'api_key contains a NUL byte'],
        ];
    }

    /** @dataProvider badRequests */
    public function testBadRequestsAreRefusedBeforeSending(string $method, string $path, string $message): void
    {
        $client = $this->client();
        $e = $this->thrown(fn () => $client->request($method, $path), InvalidArgumentException::class,
            'CAFFESTA_ERR_INVALID_ARGUMENT', 0);
        $this->assertStringContainsString($message, $e->getMessage());
        $this->assertSame([], $this->apiRequests());
    }

    public function badRequests(): array
    {
        return [
            'NUL in the path' => ['GET', "/a/v1.0/storage/test\0/../../evil", 'path contains a NUL byte'],
            'NUL in the method' => ["GET\0POST", '/a/v1.0/storage/test', 'method contains a NUL byte'],
            'absolute URL' => ['GET', 'http://evil.example/steal', 'path'],
            'other host' => ['GET', '//evil.example/steal', 'path'],
            'space' => ['GET', '/a/v1.0/product/by_ref_code/a b', 'path'],
            'unknown method' => ['BREW', '/a/v1.0/storage/test', 'method'],
        ];
    }

    /** @dataProvider badProducts */
    public function testBadProductsAreRefusedBeforeSending(array $product, string $message): void
    {
        $client = $this->client();
        $e = $this->thrown(fn () => $client->upsertProduct($product), InvalidArgumentException::class,
            'CAFFESTA_ERR_INVALID_ARGUMENT', 0);
        $this->assertStringContainsString($message, $e->getMessage());
        $this->assertSame([], $this->apiRequests());
    }

    public function badProducts(): array
    {
        return [
            'no ref_code' => [['name' => 'x'], 'ref_code'],
            'empty ref_code' => [['ref_code' => ''], 'ref_code'],
            'number ref_code' => [['ref_code' => 12], 'ref_code'],
            'a list' => [['latte', 'mocha'], 'object'],
            'invalid UTF-8' => [['ref_code' => "caf\xe9"], 'cannot be encoded as JSON: Malformed UTF-8'],
            'NaN' => [['ref_code' => 'x', 'price' => NAN], 'cannot be encoded as JSON'],
        ];
    }

    public function testAnEncodingErrorKeepsTheJsonExceptionAsPrevious(): void
    {
        try {
            $this->client()->request('POST', '/a/v1.0/product/', ['name' => "\xff"]);
            $this->fail('no exception');
        } catch (InvalidArgumentException $e) {
            $this->assertInstanceOf(\JsonException::class, $e->getPrevious());
        }
    }
}
