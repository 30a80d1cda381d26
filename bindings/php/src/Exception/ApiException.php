<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/** An answer whose body says error (success:false or data.error); the message holds the server's text. (CAFFESTA_ERR_API) */
class ApiException extends StatusException
{
}
