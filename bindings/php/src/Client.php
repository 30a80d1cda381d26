<?php

declare(strict_types=1);

namespace Caffesta;

use Caffesta\Exception\ApiException;
use Caffesta\Exception\CaffestaException;
use Caffesta\Exception\CancelledException;
use Caffesta\Exception\InvalidArgumentException;
use Caffesta\Exception\StatusException;
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
 */
final class Client
{
    private const OK = 0;
    private const INVALID_ARGUMENT = 1;
    private const PROTOCOL = 10;
    private const NO_MEMORY = 12;
    private const INTERNAL = 13;
    private const JSON_DECODE = JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING;
    private const JSON_DEPTH = 4096;
    private const PARTIAL = 14;
    private const CANCELLED = 16;
    private const OPTIONS = ['base_url', 'timeout_ms', 'connect_timeout_ms', 'max_retries', 'ca_file',
        'max_response_size', 'order_path', 'logger', 'proxy'];
    private const INT_MIN = -0x80000000;
    private const INT_MAX = 0x7fffffff;
    private const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
    private const DEFAULT_TIMEOUT_MS = 60_000;
    /** upsertProducts()'s default, the same as Python's upsert_products(). */
    public const DEFAULT_CONCURRENCY = 8;

    private \FFI $ffi;
    /** The caffesta_client*, null once closed. */
    private ?\FFI\CData $handle = null;
    private string $baseUrl;
    /** Set by cancel(): the running upsertProducts() stops after its chunk in flight. */
    private bool $cancelRequested = false;
    /** The request log's C callback, kept alive with the client. */
    private ?\Closure $logCallback = null;

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
     * @throws InvalidArgumentException for a bad account name, key or option
     */
    public function __construct(string|false $accountName, string|false $apiKey, array $options = [])
    {
        $accountName = self::credential('account_name', $accountName, 'CAFFESTA_ACCOUNT');
        $apiKey = self::credential('api_key', $apiKey, 'CAFFESTA_API_KEY');
        $unknown = array_diff(array_keys($options), self::OPTIONS);
        if ($unknown !== []) {
            throw self::invalid('unknown option ' . implode(', ', array_map('strval', $unknown))
                . '; known: ' . implode(', ', self::OPTIONS));
        }
        self::checkText('account_name', $accountName);
        self::checkText('api_key', $apiKey);
        $this->ffi = Library::ffi();
        $out = $this->ffi->new('caffesta_client*');
        $status = $this->ffi->caffesta_client_create($accountName, $apiKey, \FFI::addr($out));
        if ($status !== self::OK || \FFI::isNull($out)) {
            throw $this->failure($status === self::OK ? self::INTERNAL : $status);
        }
        $this->handle = $out;
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
     * @param array<string, mixed> $product docs/api.md's product body; "ref_code" is required
     * @return array{id: int, ref_code: string, action: string} action is "created" or "updated"
     * @throws CaffestaException
     */
    public function upsertProduct(array $product): array
    {
        $json = Body::encode($product, 'product', 'product');
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

    // ---- Bulk catalog sync -----------------------------------------------------------------------

    /**
     * Upserts many products as upsertProduct() does one, with up to $concurrency (1 to 64) requests
     * in flight, and returns the report: one entry per product, in input order (a list, whatever
     * the input's keys), either
     *   ['ref_code' => 'latte', 'action' => 'created'|'updated', 'id' => 17] or
     *   ['ref_code' => 'latte', 'action' => 'failed', 'status' => 'CAFFESTA_ERR_SERVER',
     *    'message' => '...', 'http_status' => 500]        (http_status only when there was an answer).
     * Failed items do not throw: check each entry's action (as Python's upsert_products() does;
     * PartialException is never thrown here). An item that is not a valid product (no ref_code, not
     * an object) fails alone, without a request. A product written once is never written twice: a
     * POST that may have reached the server is reported as failed, not resent.
     *
     * The batch runs in chunks of max(4 × $concurrency, 64) products; $progress($done, $total) is
     * called after each chunk, on this thread ($done grows to $total). A PHP callback is never
     * handed to the library (closures called from C are slow and leak in PHP).
     *
     * Stopping: an exception thrown by $progress, or cancel() (from a pcntl_signal handler), stops
     * the batch after the chunk in flight: the chunks not sent yet are not sent, and
     * CancelledException is thrown whose getReport() is the whole report (products never sent
     * have 'action' => 'cancelled'); when $progress threw, it carries that exception's message and
     * getPrevious() is that exception.
     *
     * @param array<array<string, mixed>> $products product bodies as upsertProduct() takes them
     * @param null|callable(int, int): void $progress
     * @return list<array<string, mixed>>
     * @throws InvalidArgumentException for a bad $concurrency, or a product that cannot be encoded as
     *         JSON (named by its key), before any request
     * @throws CancelledException when the batch was stopped, with the report
     * @throws CaffestaException when a whole chunk fails (out of memory, say)
     */
    public function upsertProducts(array $products, int $concurrency = self::DEFAULT_CONCURRENCY,
        ?callable $progress = null): array
    {
        if ($concurrency < self::INT_MIN || $concurrency > self::INT_MAX) {
            throw self::invalid('concurrency must be 1 to 64');
        }
        $items = [];
        $refCodes = [];
        foreach ($products as $key => $product) {
            $items[] = self::encodeItem($product, "products[$key]");
            $refCodes[] = is_array($product) ? ($product['ref_code'] ?? null) : null;
        }
        if ($items === []) {
            return $this->upsertChunk('[]', $concurrency); // still checks $concurrency
        }
        $this->cancelRequested = false; // a cancel() before the batch began is not this batch's
        try {
            return $this->upsertChunks($items, $refCodes, $concurrency, $progress);
        } finally {
            $this->cancelRequested = false;
        }
    }

    /**
     * @param list<string> $items the products' JSON
     * @param list<mixed> $refCodes
     * @return list<array<string, mixed>>
     */
    private function upsertChunks(array $items, array $refCodes, int $concurrency, ?callable $progress): array
    {
        $total = count($items);
        $report = [];
        $stopped = null; // [message, cause]
        foreach (array_chunk($items, max($concurrency * 4, 64)) as $chunk) {
            if ($stopped === null && $this->cancelRequested) {
                $stopped = ['upsertProducts was cancelled', null];
            }
            if ($stopped !== null) {
                foreach ($chunk as $unused) {
                    $report[] = ['ref_code' => $refCodes[count($report)], 'action' => 'cancelled'];
                }
                continue;
            }
            $offset = count($report);
            $cancelledInChunk = false;
            $entries = $this->upsertChunk('[' . implode(',', $chunk) . ']', $concurrency, count($chunk), $cancelledInChunk);
            foreach ($entries as $i => $entry) {
                // The library numbers the items of a chunk from 0: "item 3: ..." of the batch instead.
                if ($offset !== 0 && is_array($entry) && is_string($entry['message'] ?? null)
                    && str_starts_with($entry['message'], "item $i: ")) {
                    $entry['message'] = 'item ' . ($offset + $i) . substr($entry['message'], strlen("item $i"));
                }
                $report[] = $entry;
            }
            if ($cancelledInChunk) { // caffesta_client_cancel() from another thread
                $stopped = ['upsertProducts was cancelled', null];
            }
            if ($progress !== null && $stopped === null) {
                try {
                    $progress(count($report), $total);
                } catch (\Throwable $e) { // its message, its code as getPrevious()
                    $stopped = [$e->getMessage(), $e];
                }
            }
        }
        if ($stopped !== null) {
            throw CancelledException::withReport($stopped[0], $report, $stopped[1]);
        }
        return $report;
    }

    // ---- Storages --------------------------------------------------------------------------------

    /**
     * The account's storages, ordered by their position in the answer:
     * [['id' => 7, 'name' => 'Общий склад', 'label' => '(id:7) Общий склад', 'position' => 2], ...].
     * 'id' is the N of the label's "(id:N)" (the id every storage call takes), null when the label has
     * none; never the answer's key, which is only a position.
     * @return list<array{id: ?int, name: string, label: string, position: int}>
     * @throws CaffestaException
     */
    public function listStorages(): array
    {
        return $this->jsonCall('caffesta_storages_list');
    }

    /**
     * The stock on one storage: [['id', 'name', 'measure', 'cost', 'summ', 'balance'], ...]; the
     * numbers come as strings ("0.245614", "-3.000"), as the API sends them.
     * @throws CaffestaException NotFoundException for an unknown storage
     */
    public function getStorageStock(int $storageId): array
    {
        return $this->jsonCall('caffesta_storage_stock', $storageId);
    }

    // ---- Incoming invoices and moves (storage documents) -----------------------------------------

    /**
     * Creates an incoming invoice and returns its id.
     * @param array<string, mixed> $invoice ['number', 'date' => 'YYYY-MM-DD HH:MM', 'storage' => ['caf_id' => 1],
     *        'items' => [['amount', 'product_code', 'package_code', 'price', ...]], 'shipper'?, 'categories'?,
     *        'workspaces'?, 'packages'?, 'products'?] (docs/api.md, Incoming invoices)
     * Not idempotent: every call makes a new document, and once the body may have reached the server it
     * is not resent, so a NetworkException or TimeoutException means "check with listInvoices() before
     * trying again".
     * @throws CaffestaException InvalidArgumentException (naming the field) before any request
     */
    public function createInvoice(array $invoice): int
    {
        return $this->idCall('caffesta_invoice_create',
            Body::encode(self::withDocumentDate($invoice, 'invoice'), 'invoice', 'invoice'));
    }

    /** Posts (wires) an invoice: its stock arrives on the storage. @throws CaffestaException */
    public function wireInvoice(int $invoiceId): void
    {
        $this->plainCall('caffesta_invoice_wire', $invoiceId);
    }

    /** Unposts (unwires) an invoice: its stock leaves the storage again. @throws CaffestaException */
    public function unwireInvoice(int $invoiceId): void
    {
        $this->plainCall('caffesta_invoice_unwire', $invoiceId);
    }

    /**
     * The invoices dated on or after a day, as summaries without items: ['id', 'name', 'total_amount',
     * 'total_wo_nds', 'total_nds_sum', 'type', 'shipper', 'created_at', 'created_by', 'updated_at',
     * 'updated_by', 'storage', 'status', 'finished', 'doc_date', 'paid']. 'status' is 'wired' or
     * 'not_wired' ('unwired' in older answers means 'not_wired').
     * @param string|\DateTimeInterface $startDate "YYYY-MM-DD", or the day of a date-time in its own zone
     * @return list<array<string, mixed>>
     * @throws CaffestaException
     */
    public function listInvoices(string|\DateTimeInterface $startDate): array
    {
        return $this->jsonCall('caffesta_invoices_list', self::day($startDate, 'start_date'));
    }

    /**
     * One invoice with its items, products, packages ('deleted', 'hidden'), shipper ('ref_code'),
     * storage, 'updated_by' and 'status' => 'wired'|'not_wired' ('unwired', the older word, means the same).
     * @throws CaffestaException NotFoundException for an unknown id
     */
    public function getInvoice(int $invoiceId): array
    {
        return $this->jsonCall('caffesta_invoice_get', $invoiceId);
    }

    /**
     * Creates a move between storages and returns its id; not idempotent, like createInvoice().
     * @param array<string, mixed> $move ['comment'?, 'date', 'storage_from' => ['caf_id' => 1],
     *        'storage_to' => ['caf_id' => 7], 'items' => [['amount' => 25, 'product_code' => '1']]]
     * @throws CaffestaException InvalidArgumentException (naming the item, "items[1].amount") before any request
     */
    public function createMove(array $move): int
    {
        return $this->idCall('caffesta_move_create', Body::encode(self::withDocumentDate($move, 'move'), 'move', 'move'));
    }

    /** Posts (wires) a move: the stock goes from one storage to the other. @throws CaffestaException */
    public function wireMove(int $moveId): void
    {
        $this->plainCall('caffesta_move_wire', $moveId);
    }

    /** Unposts (unwires) a move. @throws CaffestaException */
    public function unwireMove(int $moveId): void
    {
        $this->plainCall('caffesta_move_unwire', $moveId);
    }

    // ---- Products (upsert is above) --------------------------------------------------------------

    /**
     * Reads a product by ref_code: ['id', 'ref_code', 'name', 'measure', 'category' => ['id'], ...].
     * @throws CaffestaException NotFoundException if there is none
     */
    public function getProduct(string $refCode): array
    {
        return $this->jsonCall('caffesta_product_get', self::text($refCode, 'ref_code'));
    }

    /**
     * Writes the given fields of the product with this Caffesta id.
     * @param array<string, mixed> $fields product fields (docs/api.md, Products)
     * @return mixed the answer's data
     * @throws CaffestaException NotFoundException if there is no such product
     */
    public function updateProduct(int $productId, array $fields): mixed
    {
        return $this->jsonCall('caffesta_product_update', $productId, Body::encode($fields, 'fields', 'product'));
    }

    /**
     * Writes the given fields of the product with this ref_code (sent percent-encoded as one path segment).
     * @param array<string, mixed> $fields product fields (docs/api.md, Products)
     * @return mixed the answer's data
     * @throws CaffestaException NotFoundException if there is no such product
     */
    public function updateProductByRefCode(string $refCode, array $fields): mixed
    {
        return $this->jsonCall('caffesta_product_update_by_ref_code', self::text($refCode, 'ref_code'),
            Body::encode($fields, 'fields', 'product'));
    }

    /**
     * Imports the WHOLE menu. WARNING: every product the body does not list is REMOVED from the
     * menu. To add and update without removing anything, use importMenuPart().
     * @param array<string, mixed> $menu ['update_balances', 'categories', 'menus', 'taxes', 'shops',
     *        'items' => [['id' => 'your code', ...]]] (docs/api.md, Products)
     * @return mixed the answer's data
     * @throws CaffestaException
     */
    public function importMenu(array $menu): mixed
    {
        return $this->jsonCall('caffesta_menu_import', Body::encode($menu, 'menu', 'menu'));
    }

    /**
     * Imports part of the menu: adds and updates the listed items, removes nothing.
     * @param array<string, mixed> $menu the body of importMenu()
     * @return mixed the answer's data
     * @throws CaffestaException
     */
    public function importMenuPart(array $menu): mixed
    {
        return $this->jsonCall('caffesta_menu_import_part', Body::encode($menu, 'menu', 'menu'));
    }

    // ---- Delivery orders -------------------------------------------------------------------------

    /**
     * Sends a delivery order to the client's order_path option (default "/a/v1.1/draft/receipts").
     * Returns ['job_id' => null, 'status' => 'success', 'uuid' => '...'] when the server made it at
     * once, or ['job_id' => 54300903, 'status' => 'pending', 'uuid' => null] when it answers with a
     * job; pass either to waitForOrder().
     * @param array<string, mixed> $order ['bill' => ['pos_id'?, 'app_id', 'delivery_type', 'total_sum',
     *        'payments', 'items' => [['count', 'total_sum', 'product_id', ...]], 'client' => ['uuid'] or
     *        ['name', 'last_name', 'address', 'phone', 'card_number', 'discount_group' => ['id']],
     *        'created_at', ...]]; no negative counts or sums
     * Not idempotent: never resent once it may have reached the server.
     * @return array{job_id: ?int, status: string, uuid: ?string}
     * @throws ApiException when the server answers status "failed" (the message gives its reason)
     * @throws CaffestaException InvalidArgumentException (naming the field) before any request
     */
    public function submitOrder(array $order): array
    {
        return $this->jsonCall('caffesta_order_submit', Body::encode(self::withOrderTimes($order), 'order', 'order'));
    }

    /**
     * The older form of submitOrder(): returns the id of the job to poll, or 0 when the server made
     * the order at once (its UUID is then only in submitOrder()'s result).
     * @param array<string, mixed> $order as for submitOrder()
     * @throws CaffestaException
     */
    public function createOrder(array $order): int
    {
        return $this->idCall('caffesta_order_create', Body::encode(self::withOrderTimes($order), 'order', 'order'));
    }

    /**
     * The job's state, once: ['job_id', 'status' => 'pending'|'success'|'failed', 'message'];
     * message is the order's UUID on success, the reason on failure.
     * @throws CaffestaException
     */
    public function getOrderJobStatus(int $jobId): array
    {
        return $this->jsonCall('caffesta_order_job_status', $jobId);
    }

    /**
     * Waits until the order is made. Given submitOrder()'s result: an order made at once comes back
     * without a request, a pending job is polled; returns ['job_id', 'status' => 'success', 'uuid'].
     * Given a job id (createOrder()'s int): polls the job (with backoff) until it ends and returns the
     * final job, whose 'message' is the order's UUID (for getReceiptInfo()).
     * @param int|array<string, mixed> $order submitOrder()'s result, or a job id
     * @param int $timeoutMs how long to wait, in ms (1 ms to 24 hours). Each poll is a request bounded
     *        by the client's timeout_ms option, not by $timeoutMs: a poll that hangs can make the call
     *        last longer than $timeoutMs (up to timeout_ms more)
     * @throws ApiException when the job failed (the message gives the reason)
     * @throws TimeoutException when it is still pending after $timeoutMs
     * @throws CaffestaException
     */
    public function waitForOrder(int|array $order, int $timeoutMs = 60_000): array
    {
        if (is_array($order)) {
            return $this->jsonCall('caffesta_order_wait_submitted', self::encode($order, 'order'),
                self::cLong($timeoutMs, 'timeout_ms'));
        }
        return $this->jsonCall('caffesta_order_wait', $order, self::cLong($timeoutMs, 'timeout_ms'));
    }

    /**
     * The receipts of an order, by the UUID a successful job gives.
     * @return list<array<string, mixed>>
     * @throws CaffestaException
     */
    public function getReceiptInfo(string $orderUuid): array
    {
        return $this->jsonCall('caffesta_receipt_info', self::text($orderUuid, 'order_uuid'));
    }

    // ---- Update feeds (incremental sync for a POS); $ts = 0 means everything ----------------------

    /**
     * One Unix timestamp per section: ['categories' => ts, 'menus' => ts, 'products' => ts, ...].
     * @return array<string, int>
     * @throws CaffestaException
     */
    public function getUpdates(int $posId): array
    {
        return $this->jsonCall('caffesta_updates_get', $posId);
    }

    /**
     * One keyset page of the products changed since $ts: ['items' => [...], 'next_start_id' => int|null].
     * Start with $startId 0 and pass next_start_id back until it is null (or use iterateProductPages()).
     * Deleted products ('deleted' => true) come only when $ts != 0.
     * @return array{items: list<array<string, mixed>>, next_start_id: ?int}
     * @throws CaffestaException
     */
    public function getProductsPage(int $posId, int $startId = 0, int|\DateTimeInterface $ts = 0): array
    {
        return $this->jsonCall('caffesta_products_page', $posId, $startId, self::ts($ts));
    }

    /**
     * Every product changed since $ts, all pages followed, in one array (deleted ones only when $ts != 0).
     * For a large catalog, iterateProducts() holds one page at a time instead.
     * @return list<array<string, mixed>>
     * @throws CaffestaException
     */
    public function getAllProducts(int $posId, int|\DateTimeInterface $ts = 0): array
    {
        return $this->jsonCall('caffesta_products_all', $posId, self::ts($ts));
    }

    /**
     * The products changed since $ts, one page at a time: a generator that fetches a page only when
     * the previous one has been consumed, following next_start_id to the end. Each value is one
     * page's list of products (empty pages are skipped); its key is the page's start_id.
     *   foreach ($client->iterateProductPages(2) as $page) { $db->saveAll($page); }
     * @return \Generator<int, list<array<string, mixed>>>
     * @throws CaffestaException while iterating; ProtocolException if the server's next_start_id does
     *         not move forward (rather than loop for ever)
     */
    public function iterateProductPages(int $posId, int|\DateTimeInterface $ts = 0): \Generator
    {
        $startId = 0;
        while (true) {
            $page = $this->getProductsPage($posId, $startId, $ts);
            $items = $page['items'] ?? null;
            $next = $page['next_start_id'] ?? null;
            if (!is_array($items) || ($next !== null && !is_int($next))) {
                throw StatusException::fromStatus(self::PROTOCOL,
                    "a products page is not {items: [...], next_start_id: id|null} (start_id $startId)");
            }
            if ($items !== []) {
                yield $startId => $items;
            }
            if ($next === null) {
                return;
            }
            if ($next <= $startId) {
                throw StatusException::fromStatus(self::PROTOCOL,
                    "the products page of start_id $startId gives next_start_id $next, which does not move forward");
            }
            $startId = $next;
        }
    }

    /**
     * The products changed since $ts, one product at a time, fetched page by page as
     * iterateProductPages() does; keys run 0, 1, 2, ... across pages, so iterator_to_array() of it
     * equals getAllProducts().
     * @return \Generator<int, array<string, mixed>>
     * @throws CaffestaException while iterating
     */
    public function iterateProducts(int $posId, int|\DateTimeInterface $ts = 0): \Generator
    {
        foreach ($this->iterateProductPages($posId, $ts) as $page) {
            foreach ($page as $product) {
                yield $product;
            }
        }
    }

    /**
     * Stock balances changed since $ts.
     * @return list<array<string, mixed>>
     * @throws CaffestaException
     */
    public function getBalances(int $posId, int|\DateTimeInterface $ts = 0): array
    {
        return $this->jsonCall('caffesta_balances_get', $posId, self::ts($ts));
    }

    /**
     * Loyalty clients changed since $ts.
     * @return list<array<string, mixed>>
     * @throws CaffestaException
     */
    public function getClients(int|\DateTimeInterface $ts = 0): array
    {
        return $this->jsonCall('caffesta_clients_get', self::ts($ts));
    }

    /**
     * Per-shop price, stop list and availability changed since $ts:
     * [['price', 'avgInvoicedSelfCost', 'availableForSale', 'inStopList', 'shop_id', 'product_id'], ...].
     * @return list<array<string, mixed>>
     * @throws CaffestaException
     */
    public function getProductShopData(int $posId, int|\DateTimeInterface $ts = 0): array
    {
        return $this->jsonCall('caffesta_product_shop_data_get', $posId, self::ts($ts));
    }

    /** @return list<array<string, mixed>> @throws CaffestaException */
    public function getCategories(): array
    {
        return $this->jsonCall('caffesta_categories_get');
    }

    /** @return list<array<string, mixed>> @throws CaffestaException */
    public function getWorkspaces(): array
    {
        return $this->jsonCall('caffesta_workspaces_get');
    }

    /** @return list<array<string, mixed>> @throws CaffestaException */
    public function getTaxes(): array
    {
        return $this->jsonCall('caffesta_taxes_get');
    }

    /** @return list<array<string, mixed>> @throws CaffestaException */
    public function getModifierGroups(): array
    {
        return $this->jsonCall('caffesta_modifier_groups_get');
    }

    /**
     * Fetches only what changed since the last sync.
     *   $sync = $client->syncChanges(2, $saved['timestamps'] ?? []);
     *   // ['timestamps' => [section => ts], 'changed' => [sections],
     *   //  'data' => ['products' => [...], 'balances' => [...], ...]]
     * 'data' holds the feeds of the changed sections only (products, product_shop_data, balances,
     * clients, categories, workspaces, taxes); sections without a feed (menus, desks, settings, ...)
     * are only listed in 'changed'. Keep 'timestamps' and pass it as $known next time.
     * @param array<string, int> $known the 'timestamps' of the previous result; [] the first time
     * @return array{timestamps: array<string, int>, changed: list<string>, data: array<string, list<array<string, mixed>>>}
     * @throws CaffestaException
     */
    public function syncChanges(int $posId, array $known = []): array
    {
        return $this->jsonCall('caffesta_sync_changes', $posId, self::encode($known, 'known'));
    }

    // ---- Sales exports ---------------------------------------------------------------------------

    /**
     * Sales grouped by POS, price and product: [['caf_terminal_id', 'caf_id', 'name', 'ref_code', 'price',
     * 'qnt', 'deleted', 'cash', 'card', 'cashless', 'bonus', 'credit', 'total_pay'], ...] (numbers as strings).
     * Give $start and $end, or $shiftDay alone:
     *   $client->getSalesByProduct('2022-04-20', '2022-04-21T05:00+03:00');
     *   $client->getSalesByProduct(shiftDay: '2022-04-20');
     *   $client->getSalesByProduct(shiftDay: '2022-04-20', groupByTerminal: true); // add_gr_by=terminal_id
     * @param string|\DateTimeInterface|null $start ISO 8601: "2022-04-20", "2022-04-20T05:00", "...+02:00"
     *        (without a zone the account's zone applies); a DateTimeInterface is sent with its zone
     *        and must have no microseconds
     * @param string|\DateTimeInterface|null $shiftDay "YYYY-MM-DD", or the day of a date-time in its own zone
     * @return list<array<string, mixed>>
     * @throws CaffestaException InvalidArgumentException before any request for a bad combination or date
     */
    public function getSalesByProduct(
        string|\DateTimeInterface|null $start = null,
        string|\DateTimeInterface|null $end = null,
        string|\DateTimeInterface|null $shiftDay = null,
        bool $groupByTerminal = false,
    ): array {
        return $this->sales('caffesta_sales_by_product', $start, $end, $shiftDay, $groupByTerminal);
    }

    /**
     * Sales grouped by POS: [['qnt', 'caf_terminal_id' (int or null), 'cafe_workspace_id', 'cash', 'card',
     * 'cashless', 'credit', 'discount', 'total_pay'], ...]; the arguments of getSalesByProduct().
     * @return list<array<string, mixed>>
     * @throws CaffestaException
     */
    public function getSalesByPos(
        string|\DateTimeInterface|null $start = null,
        string|\DateTimeInterface|null $end = null,
        string|\DateTimeInterface|null $shiftDay = null,
        bool $groupByTerminal = false,
    ): array {
        return $this->sales('caffesta_sales_by_pos', $start, $end, $shiftDay, $groupByTerminal);
    }

    /**
     * Every receipt of one shift day of one terminal (POS), ungrouped: ['id',
     * 'terminal_number', 'type', 'income' => 1|-1, ..., 'bill_dishes' => [['id', 'parent_id', 'count',
     * 'weight', 'dish' => ['ref_code', ...], ...]]].
     * @param string|\DateTimeInterface $date "YYYY-MM-DD", or the day of a date-time in its own zone
     * @return list<array<string, mixed>>
     * @throws CaffestaException
     */
    public function getReceiptsByShiftDay(int $terminalId, string|\DateTimeInterface $date): array
    {
        return $this->jsonCall('caffesta_receipts_by_shift_day', $terminalId, self::day($date, 'date'));
    }

    /** @param array<string, mixed> $options */
    private function configure(array $options): void
    {
        if (array_key_exists('base_url', $options)) {
            $url = self::stringOption($options, 'base_url');
            $this->check($this->ffi->caffesta_client_set_base_url($this->handle, $url));
            $this->baseUrl = $url;
        }
        if (array_key_exists('timeout_ms', $options) || array_key_exists('connect_timeout_ms', $options)) {
            $timeout = self::intOption($options, 'timeout_ms');
            $connect = self::intOption($options, 'connect_timeout_ms');
            $timeout ??= self::DEFAULT_TIMEOUT_MS;
            $connect ??= min(self::DEFAULT_CONNECT_TIMEOUT_MS, $timeout);
            if ($connect > $timeout) {
                throw self::invalid("connect_timeout_ms ($connect) must not exceed timeout_ms ($timeout)");
            }
            $this->check($this->ffi->caffesta_client_set_timeouts($this->handle, $connect, $timeout));
        }
        if (array_key_exists('max_retries', $options)) {
            $retries = self::intOption($options, 'max_retries');
            if ($retries < self::INT_MIN || $retries > self::INT_MAX) {
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
        if (array_key_exists('order_path', $options)) {
            $path = self::stringOption($options, 'order_path');
            $this->check($this->ffi->caffesta_client_set_order_path($this->handle, $path));
        }
        if (array_key_exists('proxy', $options)) {
            $proxy = $options['proxy'] === null ? null : self::stringOption($options, 'proxy');
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
            throw self::invalid('logger must be an object with debug(string $message, array $context) or a Closure');
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

    /** Calls a function whose last parameter is char **result_json; returns the JSON decoded. */
    private function jsonCall(string $function, mixed ...$arguments): mixed
    {
        $handle = $this->handle();
        $out = $this->ffi->new('char*');
        $status = $this->ffi->$function($handle, ...[...$arguments, \FFI::addr($out)]);
        return $this->decode($this->take($status, $out));
    }

    /** Calls a function whose last parameter is long long *id; returns the id. */
    private function idCall(string $function, mixed ...$arguments): int
    {
        $handle = $this->handle();
        $id = $this->ffi->new('long long');
        $this->check($this->ffi->$function($handle, ...[...$arguments, \FFI::addr($id)]));
        return $id->cdata;
    }

    /** Calls a function that returns a status only. */
    private function plainCall(string $function, mixed ...$arguments): void
    {
        $handle = $this->handle();
        $this->check($this->ffi->$function($handle, ...$arguments));
    }

    /**
     * One caffesta_products_upsert_many call: its report, decoded. CAFFESTA_ERR_PARTIAL writes the
     * report too (failed items are in it): it is read and freed like an OK one.
     * @return list<array<string, mixed>>
     */
    private function upsertChunk(string $json, int $concurrency, int $expected = 0, bool &$cancelled = false): array
    {
        $handle = $this->handle();
        $out = $this->ffi->new('char*');
        $status = $this->ffi->caffesta_products_upsert_many($handle, $json, $concurrency, \FFI::addr($out));
        $cancelled = $status === self::CANCELLED && !\FFI::isNull($out);
        if (($status === self::PARTIAL || $cancelled) && !\FFI::isNull($out)) {
            $status = self::OK;
        }
        $report = $this->decode($this->take($status, $out));
        if (!is_array($report) || !array_is_list($report) || count($report) !== $expected) {
            throw StatusException::fromStatus(self::INTERNAL,
                "libcaffesta's bulk report does not hold one entry per product ($expected)");
        }
        return $report;
    }

    /** @return list<array<string, mixed>> */
    private function sales(
        string $function,
        string|\DateTimeInterface|null $start,
        string|\DateTimeInterface|null $end,
        string|\DateTimeInterface|null $shiftDay,
        bool $groupByTerminal,
    ): array {
        return $this->jsonCall($function . '_grouped',
            $start === null ? null : self::moment($start, 'start'),
            $end === null ? null : self::moment($end, 'end'),
            $shiftDay === null ? null : self::day($shiftDay, 'shift_day'),
            $groupByTerminal ? 'terminal_id' : null);
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
        return StatusException::fromStatus($status, $this->ffi->caffesta_last_error(),
            $this->ffi->caffesta_last_http_status(), $this->ffi->caffesta_status_name($status), null,
            StatusException::DELIVERY[$this->ffi->caffesta_last_delivery()] ?? 'not_sent');
    }

    /** The text of a char* output, which is freed here, exactly once, whatever happens. */
    private function take(int $status, \FFI\CData $out): string
    {
        $failure = $status === self::OK ? null : $this->failure($status);
        if (\FFI::isNull($out)) {
            throw $failure ?? StatusException::fromStatus(self::INTERNAL,
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
            throw StatusException::fromStatus(self::PROTOCOL,
                "the answer is not JSON PHP can read: {$e->getMessage()}", 0, null, $e);
        }
    }

    /** JSON text of a PHP array as request() sends it; a top-level [] becomes {}. */
    private static function encode(array $value, string $what): string
    {
        return Body::encode($value, $what);
    }

    /** One item of a bulk batch as JSON text; the library judges whether it is a product. */
    private static function encodeItem(mixed $item, string $what): string
    {
        if (is_array($item)) {
            return Body::encode($item, $what, 'product');
        }
        return Body::encode($item, $what);
    }

    /** A string argument for a const char* parameter. */
    private static function text(string $value, string $name): string
    {
        self::checkText($name, $value);
        return $value;
    }

    /** A calendar day: "YYYY-MM-DD" as given, or the day of a date-time in its own zone. */
    private static function day(string|\DateTimeInterface $value, string $name): string
    {
        return $value instanceof \DateTimeInterface ? $value->format('Y-m-d') : self::text($value, $name);
    }

    /** An ISO 8601 moment: a string as given, or a date-time with its zone ("2022-04-20T05:00+03:00"). */
    private static function moment(string|\DateTimeInterface $value, string $name): string
    {
        if (!$value instanceof \DateTimeInterface) {
            return self::text($value, $name);
        }
        if ($value->format('u') !== '000000') {
            throw self::invalid("$name has microseconds, which the API does not take: " . $value->format('Y-m-d\TH:i:s.uP'));
        }
        return $value->format($value->format('s') === '00' ? 'Y-m-d\TH:iP' : 'Y-m-d\TH:i:sP');
    }

    /** An update feed's ts: Unix seconds (0: everything), or a date-time's second. */
    private static function ts(int|\DateTimeInterface $ts): int
    {
        return $ts instanceof \DateTimeInterface ? $ts->getTimestamp() : $ts;
    }

    /**
     * An invoice or a move whose 'date' is a DateTimeInterface: written "YYYY-MM-DD HH:MM" in UTC, as
     * the API documents it. Seconds would be lost, so a date-time with seconds is refused. A string is
     * sent as given; the library refuses any other form than "YYYY-MM-DD HH:MM" before any request.
     */
    private static function withDocumentDate(array $document, string $what): array
    {
        $date = $document['date'] ?? null;
        if ($date instanceof \DateTimeInterface) {
            if ($date->format('s.u') !== '00.000000') {
                throw self::invalid("$what: date is to the minute (\"YYYY-MM-DD HH:MM\", UTC); "
                    . $date->format('Y-m-d H:i:s.u') . ' has seconds, which would be lost');
            }
            $document['date'] = \DateTimeImmutable::createFromInterface($date)
                ->setTimezone(new \DateTimeZone('UTC'))->format('Y-m-d H:i');
        }
        return $document;
    }

    /** An order whose bill.created_at / started_at are DateTimeInterfaces: "YYYY-MM-DDTHH:MM:SS" in UTC. */
    private static function withOrderTimes(array $order): array
    {
        if (!is_array($order['bill'] ?? null)) {
            return $order;
        }
        foreach (['created_at', 'started_at'] as $field) {
            $time = $order['bill'][$field] ?? null;
            if ($time instanceof \DateTimeInterface) {
                if ($time->format('u') !== '000000') {
                    throw self::invalid("order: bill.$field has microseconds, which the API does not take");
                }
                $order['bill'][$field] = \DateTimeImmutable::createFromInterface($time)
                    ->setTimezone(new \DateTimeZone('UTC'))->format('Y-m-d\\TH:i:s');
            }
        }
        return $order;
    }

    /** An int for a C long parameter (32 bits on some platforms). */
    private static function cLong(int $value, string $name): int
    {
        if (PHP_INT_SIZE > \FFI::sizeof(\FFI::type('long')) && ($value < self::INT_MIN || $value > self::INT_MAX)) {
            throw self::invalid("$name is out of range: $value");
        }
        return $value;
    }

    /** The account name or key: false or '' (an unset variable read with getenv()) is refused with a hint. */
    private static function credential(string $name, string|false $value, string $variable): string
    {
        if ($value === false || $value === '') {
            throw self::invalid("$name is empty" . ($value === false ? ' (false)' : '')
                . ": when it comes from getenv('$variable'), $variable is not set in this process."
                . " Under php-fpm, the pool's clear_env (on by default) hides the master's environment"
                . " from workers: add env[$variable] = \$$variable to the pool");
        }
        return $value;
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
        return StatusException::fromStatus(self::INVALID_ARGUMENT, $message, 0, null, $previous);
    }
}
