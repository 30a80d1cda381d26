<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/** The connect timeout or the deadline of the whole call passed. (CAFFESTA_ERR_TIMEOUT) */
class TimeoutException extends StatusException
{
}
