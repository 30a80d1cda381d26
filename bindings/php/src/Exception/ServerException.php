<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/** HTTP 5xx, after the retries. (CAFFESTA_ERR_SERVER) */
class ServerException extends StatusException
{
}
