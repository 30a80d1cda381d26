<?php

declare(strict_types=1);

namespace Caffesta;

use Caffesta\Exception\ApiException;
use Caffesta\Exception\CaffestaException;
use Caffesta\Exception\StatusException;
use Caffesta\Exception\InvalidArgumentException;
use Caffesta\Exception\TimeoutException;

/**
 * A Caffesta account's API client over libcaffesta. JSON goes in and comes out as PHP arrays.
 * Every failure throws a Caffesta\Exception\CaffestaException subclass.
 *
 *   $client = new Client('mycafe', $apiKey, ['timeout_ms' => 10_000]);
 *   $result = $client->upsertProduct(['ref_code' => 'latte', 'name' => 'Латте']);
 *   // ['id' => 17, 'ref_code' => 'latte', 'action' => 'created']
 *
 * Besides authTest(), upsertProduct() and request(), there is one method per endpoint of the API
 * (storages, invoices, moves, products, menu imports, delivery orders, update feeds, sales exports),
 * named as in the Python binding but in camelCase, and upsertProducts() for a whole catalog. They
 * check their arguments before any request (InvalidArgumentException) and return the answer's
 * payload (the "data" of the envelope); create calls return the new id.
 *
 * This file is the core: construction and options, the one way into the library (jsonCall, idCall,
 * plainCall: the result read and freed once, a failure turned into its exception) and the calls
 * written by hand. The plain calls are ClientTrait (generated from api/calls.toml), the bulk call
 * BulkUpsert, the argument converters Convert and Body. A test double implements ClientInterface.
 */
final class Client implements ClientInterface
{
    use ClientTrait;
    use BulkUpsert;

    private const JSON_DECODE = JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING;
    private const JSON_DEPTH = 4096;
    private const OPTIONS = ['base_url', 'timeout_ms', 'connect_timeout_ms', 'max_retries', 'ca_file',
        'max_response_size', 'order_path', 'logger', 'proxy', 'persistent'];
    private const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
    private const DEFAULT_TIMEOUT_MS = 60_000;
    /** What a call's own $options may hold (every endpoint method's last argument). */
    private const CALL_OPTIONS = ['timeout_ms'];
    private const MAX_TIMEOUT_MS = 86_400_000;
    /** upsertProducts()'s default, the same as Python's upsert_products(). */
    public const DEFAULT_CONCURRENCY = 8;

    private \FFI $ffi;
    /** The caffesta_client*, null once closed. */
    private ?\FFI\CData $handle = null;
    private string $baseUrl;
    /** The request log's C callback, kept alive with the client. */
    private ?\Closure $logCallback = null;
    /** A persistent client that took over an earlier one's connections (isReused()). */
    private bool $reused = false;
    /** The caffesta_call* that carries a call's own options, made at the first call given some. */
    private ?\FFI\CData $call = null;

    /**
     * @param string|false $accountName the account's subdomain: https://{accountName}.caffesta.com
     * @param string|false $apiKey      the account's API key. false (getenv() of an unset variable)
     *                                  or '' is refused with a hint: under php-fpm the pool must
     *                                  name the variable (env[CAFFESTA_API_KEY] = $CAFFESTA_API_KEY)
     * @param array{base_url?: string, timeout_ms?: int, connect_timeout_ms?: int, max_retries?: int,
     *              ca_file?: ?string, max_response_size?: int, order_path?: string,
     *              logger?: object|\Closure, proxy?: ?string} $options
     *   base_url            another server: the emulator, staging (a forward proxy goes in proxy; "http://127.0.0.1:8765");
     *                       the API key goes wherever it points
     *   timeout_ms          deadline of a whole call, retries included (default 60 000)
     *   connect_timeout_ms  connect timeout (default 10 000, or timeout_ms when that is smaller);
     *                       one larger than timeout_ms is refused, as in C and Python
     *   max_retries         0 to 10 (default 2); only what is safe to resend is retried
     *   ca_file             PEM file of CA certificates to trust instead of the system's; null: the system's
     *   max_response_size   largest answer accepted, in bytes (1 KiB to 4 GiB; default 64 MiB)
     *   order_path          the path delivery orders are posted to (default "/a/v1.1/draft/receipts",
     *                       which answers at once; "/a/v1.0/draft/receipts" answers with a job)
     *   logger              the request log: a PSR-3 style logger (any object with
     *                       debug(string $message, array $context)) or a Closure(string $message,
     *                       array $context); called once per attempt, during the call, with a line
     *                       such as "PUT /a/v1.0/product/by_ref_code/latte attempt 1: HTTP 200
     *                       CAFFESTA_OK in 3 ms" and the event (include/caffesta.h,
     *                       caffesta_client_set_log) as $context. Never the API key or a body. One
     *                       FFI callback per client (PHP keeps it until the end of the request).
     *   proxy               the proxy for every request ("http://host:3128"), or "direct" for none
     *                       whatever the environment says; null or absent: libcurl's proxy variables
     *   persistent          true: the connections (with their TLS sessions and DNS cache) outlive this
     *                       object and serve the next persistent client of this process with the same
     *                       account, key, base_url, proxy and ca_file — a php-fpm worker's next request
     *                       sends at once instead of opening a connection (caffesta_client_acquire()).
     *                       Only the connections carry over: every other option, the logger and
     *                       cancel() are this object's. Needs the library loaded for the process's life:
     *                       preloaded (the php-fpm recipe) or the CLI; otherwise an ordinary client.
     *                       Default false
     * @throws InvalidArgumentException for a bad account name, key or option
     */
    public function __construct(string|false $accountName, string|false $apiKey, array $options = [])
    {
        $accountName = Convert::credential('account_name', $accountName, 'CAFFESTA_ACCOUNT');
        $apiKey = Convert::credential('api_key', $apiKey, 'CAFFESTA_API_KEY');
        $unknown = array_diff(array_keys($options), self::OPTIONS);
        if ($unknown !== []) {
            throw Convert::invalid('unknown option ' . implode(', ', array_map('strval', $unknown))
                . '; known: ' . implode(', ', self::OPTIONS));
        }
        Convert::checkText('account_name', $accountName);
        Convert::checkText('api_key', $apiKey);
        $persistent = $options['persistent'] ?? false;
        if (!is_bool($persistent)) {
            throw Convert::invalid('option persistent must be a bool, not ' . get_debug_type($persistent));
        }
        $this->ffi = Library::ffi();
        $out = $this->ffi->new('caffesta_client*');
        if ($persistent && Library::staysLoaded()) {
            $reused = $this->ffi->new('int');
            $status = $this->ffi->caffesta_client_acquire($accountName, $apiKey, self::shareKey($options),
                \FFI::addr($out), \FFI::addr($reused));
            $this->reused = $status === Status::OK && $reused->cdata === 1;
        } else {
            $status = $this->ffi->caffesta_client_create($accountName, $apiKey, \FFI::addr($out));
        }
        if ($status !== Status::OK || \FFI::isNull($out)) {
            throw $this->failure($status === Status::OK ? Status::INTERNAL : $status);
        }
        $this->handle = $out;
        if ($persistent) {
            // A fatal error skips destructors, not shutdown functions: the native client is let go
            // (its log callback with it) before PHP frees this request's closures.
            $client = \WeakReference::create($this);
            register_shutdown_function(static function () use ($client): void {
                $client->get()?->close();
            });
        }
        $this->baseUrl = "https://$accountName.caffesta.com";
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

    /**
     * The server this client calls: the base_url option, else https://{accountName}.caffesta.com.
     * Only the option sets it: the client reads no environment variable (pass
     * getenv('CAFFESTA_BASE_URL') yourself), as in Python.
     */
    public function baseUrl(): string
    {
        return $this->baseUrl;
    }

    /**
     * Whether this persistent client took over the connections of an earlier one in this process
     * (the same account, key, base_url, proxy and ca_file): true from a php-fpm worker's second
     * request on; false for the first, for a client that is not persistent, and when the library
     * keeps no more (Client::setPersistentLimit()). For logs and tests: the calls work the same.
     */
    public function isReused(): bool
    {
        return $this->reused;
    }

    /**
     * How many sets of connections this process keeps for persistent clients, 0 to 1024 (default
     * 8): one per account, key, base_url, proxy and ca_file in use. Beyond it, the least recently
     * used set that no client holds is closed; 0 keeps none (persistent clients are then ordinary).
     * Per process: a php-fpm worker sets it for itself (in each request, or in preloaded code).
     * @throws InvalidArgumentException for a limit out of range
     */
    public static function setPersistentLimit(int $limit): void
    {
        $ffi = Library::ffi();
        $status = $ffi->caffesta_shared_clients_set_limit(Convert::cInt($limit, 'the persistent limit must be 0 to 1024'));
        if ($status !== Status::OK) {
            throw StatusException::fromStatus($status, $ffi->caffesta_last_error(), 0, $ffi->caffesta_status_name($status));
        }
    }

    /**
     * Stops the upsertProducts() that is running: for hosts that run a sync from a signal handler
     *   pcntl_async_signals(true);
     *   pcntl_signal(SIGINT, fn () => $client->cancel());
     * PHP runs the handler between two chunks (never inside the library), so the chunk in flight
     * finishes and the rest is not sent; upsertProducts() then throws CancelledException whose
     * getReport() lists every product (those never sent as 'action' => 'cancelled'). A cancel()
     * while no batch runs changes nothing. It also calls caffesta_client_cancel(), which stops
     * calls that another thread runs in the library on this client.
     */
    public function cancel(): void
    {
        $this->cancelRequested = true;
        if ($this->handle !== null) {
            $this->ffi->caffesta_client_cancel($this->handle);
        }
    }

    /** Frees the client and closes its connections. Safe to call more than once. */
    public function close(): void
    {
        if ($this->handle !== null) {
            $handle = $this->handle;
            $this->handle = null;
            $this->ffi->caffesta_client_free($handle);
        }
        if ($this->call !== null) {
            $call = $this->call;
            $this->call = null;
            $this->ffi->caffesta_call_free($call);
        }
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

    // ---- The calls written by hand (api/calls.toml: hand = ["php"]) -------------------------------

    /**
     * Waits until the order is made. Given submitOrder()'s result: an order made at once comes back
     * without a request, a pending job is polled; returns ['job_id', 'status' => 'success', 'uuid'].
     * Given a job id (createOrder()'s int): polls the job (with backoff) until it ends and returns the
     * final job, whose 'message' is the order's UUID (for getReceiptInfo()).
     * @param int|array<string, mixed> $order submitOrder()'s result, or a job id
     * @param int $timeoutMs how long to wait, in ms (1 ms to 24 hours). Each poll is a request bounded
     *        by the client's timeout_ms option, not by $timeoutMs: a poll that hangs can make the call
     *        last longer than $timeoutMs (up to timeout_ms more); $options' timeout_ms bounds it all
     * @param array{timeout_ms?: int} $options this call's own, as every endpoint method's: the shorter of
     *        its timeout_ms and $timeoutMs ends the wait
     * @throws ApiException when the job failed (the message gives the reason)
     * @throws TimeoutException when it is still pending after $timeoutMs
     * @throws CaffestaException
     */
    public function waitForOrder(int|array $order, int $timeoutMs = 60_000, array $options = []): array
    {
        if (is_array($order)) {
            return $this->jsonCall('caffesta_order_wait_submitted', $options, Body::encode($order, 'order'),
                Convert::cLong($timeoutMs, 'timeout_ms'));
        }
        return $this->jsonCall('caffesta_order_wait', $options, $order, Convert::cLong($timeoutMs, 'timeout_ms'));
    }

    /**
     * The products changed since $ts, one page at a time: a generator that fetches a page only when
     * the previous one has been consumed, following next_start_id to the end. Each value is one
     * page's list of products (empty pages are skipped); its key is the page's start_id.
     *   foreach ($client->iterateProductPages(2) as $page) { $db->saveAll($page); }
     * @param array{timeout_ms?: int} $options each page request's own, as getProductsPage()'s
     * @return \Generator<int, list<array<string, mixed>>>
     * @throws CaffestaException while iterating; ProtocolException if the server's next_start_id does
     *         not move forward (rather than loop for ever)
     */
    public function iterateProductPages(int $posId, int|\DateTimeInterface $ts = 0, array $options = []): \Generator
    {
        $startId = 0;
        while (true) {
            $page = $this->getProductsPage($posId, $startId, $ts, $options);
            $items = $page['items'] ?? null;
            $next = $page['next_start_id'] ?? null;
            if (!is_array($items) || ($next !== null && !is_int($next))) {
                throw StatusException::fromStatus(Status::PROTOCOL,
                    "a products page is not {items: [...], next_start_id: id|null} (start_id $startId)");
            }
            if ($items !== []) {
                yield $startId => $items;
            }
            if ($next === null) {
                return;
            }
            if ($next <= $startId) {
                throw StatusException::fromStatus(Status::PROTOCOL,
                    "the products page of start_id $startId gives next_start_id $next, which does not move forward");
            }
            $startId = $next;
        }
    }

    /**
     * The products changed since $ts, one product at a time, fetched page by page as
     * iterateProductPages() does; keys run 0, 1, 2, ... across pages, so iterator_to_array() of it
     * equals getAllProducts().
     * @param array{timeout_ms?: int} $options each page request's own, as getProductsPage()'s
     * @return \Generator<int, array<string, mixed>>
     * @throws CaffestaException while iterating
     */
    public function iterateProducts(int $posId, int|\DateTimeInterface $ts = 0, array $options = []): \Generator
    {
        foreach ($this->iterateProductPages($posId, $ts, $options) as $page) {
            foreach ($page as $product) {
                yield $product;
            }
        }
    }

    /**
     * What a persistent client's connections are kept under besides the account and key: the options
     * that decide where and how requests go. The others (timeouts, retries, ...) are set on each client.
     * @param array<string, mixed> $options
     */
    private static function shareKey(array $options): string
    {
        $key = [];
        foreach (['base_url', 'proxy', 'ca_file'] as $name) {
            $key[$name] = ($options[$name] ?? null) === null ? null : Convert::stringOption($options, $name);
        }
        return json_encode($key, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE);
    }

    /** @param array<string, mixed> $options */
    private function configure(array $options): void
    {
        if (array_key_exists('base_url', $options)) {
            $url = Convert::stringOption($options, 'base_url');
            $this->check($this->ffi->caffesta_client_set_base_url($this->handle, $url));
            $this->baseUrl = $url;
        }
        if (array_key_exists('timeout_ms', $options) || array_key_exists('connect_timeout_ms', $options)) {
            $timeout = Convert::intOption($options, 'timeout_ms');
            $connect = Convert::intOption($options, 'connect_timeout_ms');
            $timeout ??= self::DEFAULT_TIMEOUT_MS;
            $connect ??= min(self::DEFAULT_CONNECT_TIMEOUT_MS, $timeout);
            if ($connect > $timeout) {
                throw Convert::invalid("connect_timeout_ms ($connect) must not exceed timeout_ms ($timeout)");
            }
            $this->check($this->ffi->caffesta_client_set_timeouts($this->handle, $connect, $timeout));
        }
        if (array_key_exists('max_retries', $options)) {
            $retries = Convert::intOption($options, 'max_retries');
            $this->check($this->ffi->caffesta_client_set_max_retries($this->handle,
                Convert::cInt($retries, 'max_retries must be 0 to 10')));
        }
        if (array_key_exists('ca_file', $options)) {
            $caFile = $options['ca_file'] === null ? null : Convert::stringOption($options, 'ca_file');
            $this->check($this->ffi->caffesta_client_set_ca_file($this->handle, $caFile));
        }
        if (array_key_exists('max_response_size', $options)) {
            $size = Convert::intOption($options, 'max_response_size');
            $this->check($this->ffi->caffesta_client_set_max_response_size($this->handle, $size));
        }
        if (array_key_exists('order_path', $options)) {
            $path = Convert::stringOption($options, 'order_path');
            $this->check($this->ffi->caffesta_client_set_order_path($this->handle, $path));
        }
        if (array_key_exists('proxy', $options)) {
            $proxy = $options['proxy'] === null ? null : Convert::stringOption($options, 'proxy');
            $this->check($this->ffi->caffesta_client_set_proxy($this->handle, $proxy));
        }
        if (($options['logger'] ?? null) !== null) {
            $this->setLogger($options['logger']);
        }
    }

    /** Hands each event of the library's request log to a PSR-3 style logger or a closure. */
    private function setLogger(mixed $logger): void
    {
        if ($logger instanceof \Closure) {
            $sink = $logger;
        } elseif (is_object($logger) && method_exists($logger, 'debug')) {
            $sink = static fn (string $message, array $context) => $logger->debug($message, $context);
        } else {
            throw Convert::invalid('logger must be an object with debug(string $message, array $context) or a Closure');
        }
        $this->logCallback = static function ($userData, $eventJson) use ($sink): void {
            try { // nothing may be thrown into C
                $text = is_string($eventJson) ? $eventJson : \FFI::string($eventJson);
                $event = json_decode($text, true, 16, JSON_THROW_ON_ERROR);
                $sink(LogLine::describe($event), $event);
            } catch (\Throwable) {
            }
        };
        $this->check($this->ffi->caffesta_client_set_log($this->handle, $this->logCallback, null));
    }

    /**
     * Calls a function whose last parameter is char **result_json; returns the JSON decoded.
     * @param array<string, mixed> $options the call's own (callOptions())
     */
    private function jsonCall(string $function, array $options, mixed ...$arguments): mixed
    {
        $handle = $this->handle();
        $out = $this->ffi->new('char*');
        $status = $this->invoke($function, $options, [$handle, ...$arguments, \FFI::addr($out)]);
        return $this->decode($this->take($status, $out, $function));
    }

    /**
     * Calls a function whose last parameter is long long *id; returns the id.
     * @param array<string, mixed> $options the call's own (callOptions())
     */
    private function idCall(string $function, array $options, mixed ...$arguments): int
    {
        $handle = $this->handle();
        $id = $this->ffi->new('long long');
        $this->check($this->invoke($function, $options, [$handle, ...$arguments, \FFI::addr($id)]), $function);
        return $id->cdata;
    }

    /**
     * Calls a function that returns a status only.
     * @param array<string, mixed> $options the call's own (callOptions())
     */
    private function plainCall(string $function, array $options, mixed ...$arguments): void
    {
        $handle = $this->handle();
        $this->check($this->invoke($function, $options, [$handle, ...$arguments]), $function);
    }

    /**
     * Calls the C function, under this client's call object when the call has options of its own
     * (caffesta_call_next() arms it for this thread's next call; the call takes it at once).
     * @param array<string, mixed> $options
     * @param list<mixed> $arguments
     */
    private function invoke(string $function, array $options, array $arguments): int
    {
        if ($options === []) {
            return $this->ffi->$function(...$arguments);
        }
        $this->callOptions($options);
        try {
            return $this->ffi->$function(...$arguments);
        } catch (\Throwable $e) {
            // FFI refused the call before C ran it: nothing took the armed object, so disarm it, or
            // this thread's next call (another request's, in a php-fpm worker) would run under it.
            $this->ffi->caffesta_call_next(null);
            throw $e;
        }
    }

    /**
     * A call's own options, checked: its timeout_ms (0 without one). An unknown option, or a timeout
     * that is not an int of 1 ms to 24 hours, is an InvalidArgumentException before anything is sent.
     * @param array<string, mixed> $options
     */
    private static function callTimeout(array $options): int
    {
        $unknown = array_diff(array_keys($options), self::CALL_OPTIONS);
        if ($unknown !== []) {
            throw Convert::invalid('unknown call option ' . implode(', ', array_map('strval', $unknown))
                . '; known: ' . implode(', ', self::CALL_OPTIONS));
        }
        $timeout = Convert::intOption($options, 'timeout_ms');
        if ($timeout !== null && ($timeout < 1 || $timeout > self::MAX_TIMEOUT_MS)) {
            throw Convert::invalid("call option timeout_ms must be 1 ms to 24 hours, not $timeout");
        }
        return $timeout ?? 0;
    }

    /**
     * Arms the call object with a call's own options: ['timeout_ms' => 2000] ends the call within 2 s
     * (the client's timeout_ms still bounds it).
     * @param array<string, mixed> $options
     */
    private function callOptions(array $options): void
    {
        $timeout = self::callTimeout($options);
        if ($this->call === null) {
            $out = $this->ffi->new('caffesta_call*');
            $this->check($this->ffi->caffesta_call_create(\FFI::addr($out)));
            $this->call = $out;
        }
        $this->check($this->ffi->caffesta_call_set_timeout($this->call, $timeout));
        $this->check($this->ffi->caffesta_call_next($this->call));
    }

    private function handle(): \FFI\CData
    {
        return $this->handle ?? throw Convert::invalid('the client is closed');
    }

    /**
     * Throws the exception of a failed call; reads the last error before any other library call.
     * $function, the C function that failed, lets a message that names a C parameter name the
     * PHP argument ("product_json needs ..." becomes "product needs ...").
     */
    private function check(int $status, ?string $function = null): void
    {
        if ($status !== Status::OK) {
            throw $this->failure($status, $function);
        }
    }

    private function failure(int $status, ?string $function = null): CaffestaException
    {
        $message = $this->ffi->caffesta_last_error();
        if ($status === Status::INVALID_ARGUMENT && $function !== null) {
            foreach (self::$argumentNames[$function] ?? [] as $cName => $argument) {
                if (preg_match('/^' . $cName . '(?![A-Za-z0-9_])/', $message) === 1) {
                    $message = $argument . substr($message, strlen($cName));
                    break;
                }
            }
        }
        return StatusException::fromStatus($status, $message,
            $this->ffi->caffesta_last_http_status(), $this->ffi->caffesta_status_name($status), null,
            StatusException::DELIVERY[$this->ffi->caffesta_last_delivery()] ?? 'not_sent');
    }

    /** The text of a char* output, which is freed here, exactly once, whatever happens. */
    private function take(int $status, \FFI\CData $out, ?string $function = null): string
    {
        $failure = $status === Status::OK ? null : $this->failure($status, $function);
        if (\FFI::isNull($out)) {
            throw $failure ?? StatusException::fromStatus(Status::INTERNAL,
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
            throw StatusException::fromStatus(Status::PROTOCOL,
                "the answer is not JSON PHP can read: {$e->getMessage()}", 0, null, $e);
        }
    }
}
