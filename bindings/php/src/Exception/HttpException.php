<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/** Any other HTTP status. (CAFFESTA_ERR_HTTP) */
class HttpException extends StatusException
{
}
