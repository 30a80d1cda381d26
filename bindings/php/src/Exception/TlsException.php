<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/** The TLS handshake or certificate verification failed. (CAFFESTA_ERR_TLS) */
class TlsException extends StatusException
{
}
