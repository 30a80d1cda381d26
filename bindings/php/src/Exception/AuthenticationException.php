<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/** HTTP 401 or 403: a wrong API key. (CAFFESTA_ERR_UNAUTHORIZED) */
class AuthenticationException extends StatusException
{
}
