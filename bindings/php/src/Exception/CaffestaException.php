<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/**
 * Every exception this binding throws: catch it for all of them (`catch (CaffestaException $e)`).
 *
 * An interface, as Guzzle's GuzzleException is, so that each class can also extend the SPL
 * exception PHP code expects: InvalidArgumentException is an \InvalidArgumentException, the
 * others are \RuntimeExceptions (StatusException), LoadException too. getStatus() is the status
 * name ("CAFFESTA_ERR_API"), getCode() its number, getHttpStatus() the HTTP status of the last
 * answer (0 when there was none), getDelivery() what became of the request and mayHaveArrived()
 * whether a write may have been applied (docs/api.md, "Writes that may have arrived").
 */
interface CaffestaException extends \Throwable
{
    /** The status name, as caffesta_status_name() gives it: "CAFFESTA_ERR_NOT_FOUND". */
    public function getStatus(): string;

    /** The HTTP status of the last answer, 0 when there was none. */
    public function getHttpStatus(): int;

    /**
     * What became of the request: "not_sent" (nothing reached the server, or it proved it did
     * nothing: safe to send again), "may_have_arrived" (a write may have been applied: check
     * before sending it again) or "answered" (the server answered; the status says how).
     */
    public function getDelivery(): string;

    /** True when the request may have reached the server and no answer says what it did. */
    public function mayHaveArrived(): bool;
}
