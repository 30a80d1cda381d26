<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/** A fault inside the library. (CAFFESTA_ERR_INTERNAL) */
class InternalException extends StatusException
{
}
