<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/**
 * libcaffesta could not be loaded: FFI is missing or restricted, the header was not found, or the
 * shared library would not load. The message lists what was tried and what to set.
 *
 * A CaffestaException like every other failure, so that a catch-all catches it too; its status is
 * "CAFFESTA_LOAD_FAILED" (no library status: the library never ran), its code and HTTP status 0.
 */
class LoadException extends \RuntimeException implements CaffestaException
{
    public const STATUS = 'CAFFESTA_LOAD_FAILED';

    public function getStatus(): string
    {
        return self::STATUS;
    }

    public function getHttpStatus(): int
    {
        return 0;
    }

    /** Nothing was sent: the library never ran. */
    public function getDelivery(): string
    {
        return 'not_sent';
    }

    public function mayHaveArrived(): bool
    {
        return false;
    }
}
