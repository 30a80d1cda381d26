<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/**
 * A call that was stopped. (CAFFESTA_ERR_CANCELLED)
 *
 * Client::upsertProducts() throws it when Client::cancel() was called during the batch (from a
 * pcntl_signal handler, say) or when its $progress callback threw: the chunk in flight finishes,
 * the rest is not sent. getReport() is the whole report: one entry per product, in input order,
 * those never sent as ['ref_code' => ..., 'action' => 'cancelled']. When the progress callback
 * threw, getPrevious() is what it threw. Other calls throw it without a report when the library's
 * caffesta_client_cancel() stopped them at a retry.
 */
class CancelledException extends StatusException
{
    /** @var list<array<string, mixed>>|null */
    private ?array $report = null;

    /**
     * The report of the stopped batch, or null when the call was not a bulk call.
     * @return list<array<string, mixed>>|null
     */
    public function getReport(): ?array
    {
        return $this->report;
    }

    /**
     * A stopped batch: CAFFESTA_ERR_CANCELLED with its report, and what caused it, if anything.
     * @param list<array<string, mixed>> $report
     */
    public static function withReport(string $message, array $report, ?\Throwable $previous = null): self
    {
        $exception = new self($message, 16, 'CAFFESTA_ERR_CANCELLED', 0, $previous);
        $exception->report = $report;
        return $exception;
    }
}
