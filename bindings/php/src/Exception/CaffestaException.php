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
 * answer (0 when there was none).
 */
interface CaffestaException extends \Throwable
{
    /** The status name, as caffesta_status_name() gives it: "CAFFESTA_ERR_NOT_FOUND". */
    public function getStatus(): string;

    /** The HTTP status of the last answer, 0 when there was none. */
    public function getHttpStatus(): int;
}
