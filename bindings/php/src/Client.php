<?php

declare(strict_types=1);

namespace Caffesta;

use Caffesta\Exception\CaffestaException;
use Caffesta\Exception\InvalidArgumentException;

/**
 * A Caffesta account's API client over libcaffesta. JSON goes in and comes out as PHP arrays.
 * Every failure throws a Caffesta\Exception\CaffestaException subclass.
 *
 *   $client = new Client('mycafe', $apiKey, ['timeout_ms' => 10_000]);
 *   $result = $client->upsertProduct(['ref_code' => 'latte', 'name' => 'Латте']);
 *   // ['id' => 17, 'ref_code' => 'latte', 'action' => 'created']
 */
final class Client
{
    private const OK = 0;
    private const INVALID_ARGUMENT = 1;
    private const PROTOCOL = 10;
    private const NO_MEMORY = 12;
    private const INTERNAL = 13;
    private const JSON_ENCODE = JSON_THROW_ON_ERROR | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES
        | JSON_PRESERVE_ZERO_FRACTION;
    private const JSON_DECODE = JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING;
    private const JSON_DEPTH = 4096;
    private const OPTIONS = ['base_url', 'timeout_ms', 'connect_timeout_ms', 'max_retries', 'ca_file',
        'max_response_size'];
    private const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
    private const DEFAULT_TIMEOUT_MS = 60_000;

    private \FFI $ffi;
    /** The caffesta_client*, null once closed. */
    private ?\FFI\CData $handle = null;

    /**
     * @param string $accountName the account's subdomain: https://{accountName}.caffesta.com
     * @param string $apiKey      the account's API key
     * @param array{base_url?: string, timeout_ms?: int, connect_timeout_ms?: int, max_retries?: int,
     *              ca_file?: ?string, max_response_size?: int} $options
     *   base_url            another server: the emulator, staging, a proxy ("http://127.0.0.1:8080");
     *                       the API key goes wherever it points
     *   timeout_ms          deadline of a whole call, retries included (default 60 000)
     *   connect_timeout_ms  connect timeout (default 10 000, at most timeout_ms)
     *   max_retries         0 to 10 (default 2); only what is safe to resend is retried
     *   ca_file             PEM file of CA certificates to trust instead of the system's; null: the system's
     *   max_response_size   largest answer accepted, in bytes (1 KiB to 4 GiB; default 64 MiB)
     * @throws InvalidArgumentException for a bad account name, key or option
     */
    public function __construct(string $accountName, string $apiKey, array $options = [])
    {
        $unknown = array_diff(array_keys($options), self::OPTIONS);
        if ($unknown !== []) {
            throw self::invalid('unknown option ' . implode(', ', array_map('strval', $unknown))
                . '; known: ' . implode(', ', self::OPTIONS));
        }
        self::checkText('account_name', $accountName);
        self::checkText('api_key', $apiKey);
        $this->ffi = Library::ffi();
        $handle = $this->ffi->caffesta_client_new($accountName, $apiKey);
        if ($handle === null) {
            $message = $this->ffi->caffesta_last_error();
            // caffesta_client_new returns no status: its failures are bad input or no memory.
            throw CaffestaException::fromStatus(
                $message === 'out of memory' ? self::NO_MEMORY : self::INVALID_ARGUMENT, $message);
        }
        $this->handle = $handle;
        try {
            $this->configure($options);
        } catch (\Throwable $e) {
            $this->close();
            throw $e;
        }
    }

    public function __destruct()
    {
        $this->close();
    }

    /** Frees the client and closes its connections. Safe to call more than once. */
    public function close(): void
    {
        if ($this->handle !== null) {
            $handle = $this->handle;
            $this->handle = null;
            $this->ffi->caffesta_client_free($handle);
        }
    }

    /**
     * Checks the API key: GET /a/v1.0/storage/test.
     * @throws CaffestaException AuthenticationException for a wrong key, or that of the failed request
     */
    public function authTest(): void
    {
        $this->check($this->ffi->caffesta_auth_test($this->handle()));
    }

    /**
     * Creates the product, or updates the one Caffesta holds with the same ref_code.
     * @param array<string, mixed> $product API.md's product body; "ref_code" is required
     * @return array{id: int, ref_code: string, action: string} action is "created" or "updated"
     * @throws CaffestaException
     */
    public function upsertProduct(array $product): array
    {
        $json = self::encode($product, 'product');
        $out = $this->ffi->new('char*');
        $status = $this->ffi->caffesta_product_upsert($this->handle(), $json, \FFI::addr($out));
        return $this->decode($this->take($status, $out));
    }

    /**
     * Sends any request to the API; the answer is classified like every other call.
     * @param string $method "GET", "POST", "PUT", "PATCH" or "DELETE"
     * @param string $path   starts with '/', relative to the base URL: "/a/v1.0/draft/storages";
     *                       put ref_codes and other text into it with Client::pathSegment()
     * @param array<mixed>|null $body the JSON body, null for none; [] is sent as {}; use
     *                       new \stdClass() for an empty object deeper inside
     * @return mixed the whole answer body, decoded (objects as arrays)
     * @throws CaffestaException
     */
    public function request(string $method, string $path, ?array $body = null): mixed
    {
        self::checkText('method', $method);
        self::checkText('path', $path);
        $json = $body === null ? null : self::encode($body, 'body');
        $out = $this->ffi->new('char*');
        $status = $this->ffi->caffesta_request($this->handle(), $method, $path, $json, \FFI::addr($out));
        return $this->decode($this->take($status, $out));
    }

    /**
     * Text percent-encoded as one path segment, as the library encodes ref_codes: '/', '?', '#',
     * '%', spaces and '.' too, so that "a/b" or ".." can never change the path.
     *   $client->request('GET', '/a/v1.0/product/by_ref_code/' . Client::pathSegment($refCode));
     */
    public static function pathSegment(string $text): string
    {
        return str_replace('.', '%2E', rawurlencode($text));
    }

    /** @param array<string, mixed> $options */
    private function configure(array $options): void
    {
        if (array_key_exists('base_url', $options)) {
            $url = self::stringOption($options, 'base_url');
            $this->check($this->ffi->caffesta_client_set_base_url($this->handle, $url));
        }
        if (array_key_exists('timeout_ms', $options) || array_key_exists('connect_timeout_ms', $options)) {
            $timeout = self::intOption($options, 'timeout_ms');
            $connect = self::intOption($options, 'connect_timeout_ms');
            $timeout ??= max(self::DEFAULT_TIMEOUT_MS, (int) $connect);
            $connect ??= min(self::DEFAULT_CONNECT_TIMEOUT_MS, $timeout);
            $this->check($this->ffi->caffesta_client_set_timeouts($this->handle, $connect, $timeout));
        }
        if (array_key_exists('max_retries', $options)) {
            $retries = self::intOption($options, 'max_retries');
            if ($retries < -0x80000000 || $retries > 0x7fffffff) {
                throw self::invalid('max_retries must be 0 to 10');
            }
            $this->check($this->ffi->caffesta_client_set_max_retries($this->handle, $retries));
        }
        if (array_key_exists('ca_file', $options)) {
            $caFile = $options['ca_file'] === null ? null : self::stringOption($options, 'ca_file');
            $this->check($this->ffi->caffesta_client_set_ca_file($this->handle, $caFile));
        }
        if (array_key_exists('max_response_size', $options)) {
            $size = self::intOption($options, 'max_response_size');
            $this->check($this->ffi->caffesta_client_set_max_response_size($this->handle, $size));
        }
    }

    private function handle(): \FFI\CData
    {
        return $this->handle ?? throw self::invalid('the client is closed');
    }

    /** Throws the exception of a failed call; reads the last error before any other library call. */
    private function check(int $status): void
    {
        if ($status !== self::OK) {
            throw $this->failure($status);
        }
    }

    private function failure(int $status): CaffestaException
    {
        return CaffestaException::fromStatus($status, $this->ffi->caffesta_last_error(),
            $this->ffi->caffesta_last_http_status(), $this->ffi->caffesta_status_name($status));
    }

    /** The text of a char* output, which is freed here, exactly once, whatever happens. */
    private function take(int $status, \FFI\CData $out): string
    {
        $failure = $status === self::OK ? null : $this->failure($status);
        if (\FFI::isNull($out)) {
            throw $failure ?? CaffestaException::fromStatus(self::INTERNAL,
                'libcaffesta returned CAFFESTA_OK without its output');
        }
        try {
            $text = \FFI::string($out);
        } finally {
            $this->ffi->caffesta_string_free($out);
        }
        if ($failure !== null) {
            throw $failure;
        }
        return $text;
    }

    private function decode(string $json): mixed
    {
        try {
            return json_decode($json, true, self::JSON_DEPTH, self::JSON_DECODE);
        } catch (\JsonException $e) {
            throw CaffestaException::fromStatus(self::PROTOCOL,
                "the answer is not JSON PHP can read: {$e->getMessage()}", 0, null, $e);
        }
    }

    /** JSON text of a PHP array; a top-level [] becomes {} (every API body is an object). */
    private static function encode(array $value, string $what): string
    {
        if ($value === []) {
            return '{}';
        }
        try {
            return json_encode($value, self::JSON_ENCODE, self::JSON_DEPTH);
        } catch (\JsonException $e) {
            throw self::invalid("$what cannot be encoded as JSON: {$e->getMessage()}", $e);
        }
    }

    /** C strings end at the first NUL byte: refuse one rather than send a shorter string. */
    private static function checkText(string $name, string $value): void
    {
        if (str_contains($value, "\0")) {
            throw self::invalid("$name contains a NUL byte");
        }
    }

    /** @param array<string, mixed> $options */
    private static function stringOption(array $options, string $name): string
    {
        if (!is_string($options[$name])) {
            throw self::invalid("option $name must be a string, not " . get_debug_type($options[$name]));
        }
        self::checkText($name, $options[$name]);
        return $options[$name];
    }

    /** @param array<string, mixed> $options */
    private static function intOption(array $options, string $name): ?int
    {
        if (!array_key_exists($name, $options)) {
            return null;
        }
        if (!is_int($options[$name])) {
            throw self::invalid("option $name must be an int, not " . get_debug_type($options[$name]));
        }
        return $options[$name];
    }

    private static function invalid(string $message, ?\Throwable $previous = null): CaffestaException
    {
        return CaffestaException::fromStatus(self::INVALID_ARGUMENT, $message, 0, null, $previous);
    }
}
