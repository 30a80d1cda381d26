<?php

declare(strict_types=1);

namespace Caffesta;

use Caffesta\Exception\CaffestaException;
use Caffesta\Exception\StatusException;
use Caffesta\Exception\CancelledException;
use Caffesta\Exception\InvalidArgumentException;

/**
 * Client's bulk call, upsertProducts(): the catalog in chunks, with progress and a cancel between
 * them (a PHP callback is never handed to the library: closures called from C are slow and leak).
 *
 * @internal used by Client
 */
trait BulkUpsert
{
    /** Set by cancel(): the running upsertProducts() stops after its chunk in flight. */
    private bool $cancelRequested = false;

    abstract private function handle(): \FFI\CData;

    abstract private function take(int $status, \FFI\CData $out, ?string $function = null): string;

    abstract private function decode(string $json): mixed;

    abstract private function invoke(string $function, array $options, array $arguments): int;

    abstract private static function callTimeout(array $options): int;

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
     * Time: ['timeout_ms' => N] in $options is the whole batch's deadline, N ms from now (it may be
     * longer than the client's timeout_ms, which bounds each product's requests): each chunk gets
     * what is left of it, and products whose chunk had not started by then are reported failed
     * without a request: ['status' => 'CAFFESTA_ERR_TIMEOUT', 'message' => "not sent: the call's
     * deadline passed before its turn", 'delivery' => 'not_sent'], as the library reports its own.
     *
     * @param array<array<string, mixed>> $products product bodies as upsertProduct() takes them
     * @param null|callable(int, int): void $progress
     * @param array{timeout_ms?: int} $options the batch's own, as every endpoint method's
     * @return list<array<string, mixed>>
     * @throws InvalidArgumentException for a bad $concurrency, or a product that cannot be encoded as
     *         JSON (named by its key), before any request
     * @throws CancelledException when the batch was stopped, with the report
     * @throws CaffestaException when a whole chunk fails (out of memory, say)
     */
    public function upsertProducts(array $products, int $concurrency = Client::DEFAULT_CONCURRENCY,
        ?callable $progress = null, array $options = []): array
    {
        Convert::cInt($concurrency, 'concurrency must be 1 to 64');
        $timeoutMs = self::callTimeout($options);
        $items = [];
        $refCodes = [];
        foreach ($products as $key => $product) {
            $items[] = self::encodeItem($product, "products[$key]");
            $refCodes[] = is_array($product) ? ($product['ref_code'] ?? null) : null;
        }
        if ($items === []) {
            return $this->upsertChunk('[]', $concurrency, 0, $options); // still checks $concurrency and $options
        }
        $this->cancelRequested = false; // a cancel() before the batch began is not this batch's
        try {
            $deadline = $timeoutMs > 0 ? hrtime(true) + $timeoutMs * 1_000_000 : null;
            return $this->upsertChunks($items, $refCodes, $concurrency, $progress, $deadline);
        } finally {
            $this->cancelRequested = false;
        }
    }

    /**
     * @param list<string> $items the products' JSON
     * @param list<mixed> $refCodes
     * @param ?int $deadline the batch's, in hrtime() nanoseconds
     * @return list<array<string, mixed>>
     */
    private function upsertChunks(array $items, array $refCodes, int $concurrency, ?callable $progress,
        ?int $deadline): array
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
            $left = $deadline === null ? null : intdiv($deadline - hrtime(true), 1_000_000);
            if ($left !== null && $left < 1) {   // the deadline passed: the library's own words for it
                $entries = [];
                foreach (array_keys($chunk) as $i) {
                    $entries[] = ['ref_code' => $refCodes[$offset + $i], 'action' => 'failed',
                        'status' => 'CAFFESTA_ERR_TIMEOUT', 'message' => "not sent: the call's deadline passed before its turn",
                        'delivery' => 'not_sent'];
                }
            } else {
                $entries = $this->upsertChunk('[' . implode(',', $chunk) . ']', $concurrency, count($chunk),
                    $left === null ? [] : ['timeout_ms' => $left], $cancelledInChunk);
            }
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

    /**
     * One caffesta_products_upsert_many call: its report, decoded. CAFFESTA_ERR_PARTIAL writes the
     * report too (failed items are in it): it is read and freed like an OK one.
     * @param array<string, mixed> $options the call's own
     * @return list<array<string, mixed>>
     */
    private function upsertChunk(string $json, int $concurrency, int $expected, array $options,
        bool &$cancelled = false): array
    {
        $handle = $this->handle();
        $out = $this->ffi->new('char*');
        $status = $this->invoke('caffesta_products_upsert_many', $options,
            [$handle, $json, $concurrency, \FFI::addr($out)]);
        $cancelled = $status === Status::CANCELLED && !\FFI::isNull($out);
        if (($status === Status::PARTIAL || $cancelled) && !\FFI::isNull($out)) {
            $status = Status::OK;
        }
        $report = $this->decode($this->take($status, $out, 'caffesta_products_upsert_many'));
        if (!is_array($report) || !array_is_list($report) || count($report) !== $expected) {
            throw StatusException::fromStatus(Status::INTERNAL,
                "libcaffesta's bulk report does not hold one entry per product ($expected)");
        }
        return $report;
    }

    /** One item of a bulk batch as JSON text; the library judges whether it is a product. */
    private static function encodeItem(mixed $item, string $what): string
    {
        if (is_array($item)) {
            return Body::encode($item, $what, 'product');
        }
        return Body::encode($item, $what);
    }
}
