<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/**
 * A failed libcaffesta call, a \RuntimeException: the parent of each status's class but
 * InvalidArgumentException's (an \InvalidArgumentException), and the class thrown for a status
 * this binding does not know. Catch CaffestaException for every failure.
 */
class StatusException extends \RuntimeException implements CaffestaException
{
    use StatusFields;

    /** Each caffesta_status value: its name and the class thrown for it. */
    private const STATUSES = [
        1 => ['CAFFESTA_ERR_INVALID_ARGUMENT', InvalidArgumentException::class],
        2 => ['CAFFESTA_ERR_NETWORK', NetworkException::class],
        3 => ['CAFFESTA_ERR_TIMEOUT', TimeoutException::class],
        4 => ['CAFFESTA_ERR_TLS', TlsException::class],
        5 => ['CAFFESTA_ERR_UNAUTHORIZED', AuthenticationException::class],
        6 => ['CAFFESTA_ERR_NOT_FOUND', NotFoundException::class],
        7 => ['CAFFESTA_ERR_RATE_LIMITED', RateLimitException::class],
        8 => ['CAFFESTA_ERR_SERVER', ServerException::class],
        9 => ['CAFFESTA_ERR_API', ApiException::class],
        10 => ['CAFFESTA_ERR_PROTOCOL', ProtocolException::class],
        11 => ['CAFFESTA_ERR_HTTP', HttpException::class],
        12 => ['CAFFESTA_ERR_NO_MEMORY', NoMemoryException::class],
        13 => ['CAFFESTA_ERR_INTERNAL', InternalException::class],
        14 => ['CAFFESTA_ERR_PARTIAL', PartialException::class],
        15 => ['CAFFESTA_ERR_PROXY', ProxyException::class],
        16 => ['CAFFESTA_ERR_CANCELLED', CancelledException::class],
    ];

    /** caffesta_delivery's values, as the bulk report writes them. */
    public const DELIVERY = [0 => 'not_sent', 1 => 'may_have_arrived', 2 => 'answered'];

    /**
     * The exception for a status: the class of that status, or StatusException for a status this
     * binding does not know. $status is the name the library gave; by default the binding's own.
     */
    public static function fromStatus(
        int $code,
        string $message,
        int $httpStatus = 0,
        ?string $status = null,
        ?\Throwable $previous = null,
        string $delivery = 'not_sent',
    ): CaffestaException {
        [$name, $class] = self::STATUSES[$code] ?? ['CAFFESTA_UNKNOWN', self::class];
        $status ??= $name;
        return new $class($message !== '' ? $message : $status, $code, $status, $httpStatus, $previous, $delivery);
    }

    /**
     * The binding's table: status code => [name, exception class].
     * @return array<int, array{string, class-string<CaffestaException>}>
     */
    public static function statuses(): array
    {
        return self::STATUSES;
    }
}
