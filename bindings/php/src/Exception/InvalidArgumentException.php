<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/**
 * Bad input, refused before any request: a NUL byte, bad JSON or UTF-8, a missing ref_code, a bad
 * account name, key, option or path. (CAFFESTA_ERR_INVALID_ARGUMENT)
 *
 * An \InvalidArgumentException, as PHP code expects of bad arguments, and a CaffestaException.
 */
class InvalidArgumentException extends \InvalidArgumentException implements CaffestaException
{
    use StatusFields;
}
