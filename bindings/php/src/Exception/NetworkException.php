<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/** DNS, connect, or a connection reset or closed mid-answer. (CAFFESTA_ERR_NETWORK) */
class NetworkException extends StatusException
{
}
