<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/** The proxy could not be reached, or refused the request (403, 407). (CAFFESTA_ERR_PROXY) */
class ProxyException extends StatusException
{
}
