<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/** HTTP 429, after the retries. (CAFFESTA_ERR_RATE_LIMITED) */
class RateLimitException extends StatusException
{
}
