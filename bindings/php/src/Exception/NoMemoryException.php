<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/** The library ran out of memory. (CAFFESTA_ERR_NO_MEMORY) */
class NoMemoryException extends StatusException
{
}
