<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/**
 * libcaffesta could not be loaded: FFI is missing or restricted, the header was not found, or the
 * shared library would not load. The message lists what was tried.
 */
class LoadException extends \RuntimeException
{
}
