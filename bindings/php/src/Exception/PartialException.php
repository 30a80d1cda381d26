<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/**
 * A bulk call in which some items failed. (CAFFESTA_ERR_PARTIAL)
 *
 * Client::upsertProducts() does not throw it: like Python's upsert_products(), it returns the
 * report, whose failed entries have 'action' => 'failed' (with their own status and message). The
 * class exists so that every status of the library has one.
 */
class PartialException extends StatusException
{
}
