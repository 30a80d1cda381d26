<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/**
 * A failed libcaffesta call. getStatus() is the status name ("CAFFESTA_ERR_API"), getCode() its
 * number, getHttpStatus() the HTTP status of the last answer (0 when there was none),
 * getDelivery() what became of the request and mayHaveArrived() whether a write may have been
 * applied. Each status has its own subclass; catch this class for all of them.
 */
class CaffestaException extends \RuntimeException
{
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

    final public function __construct(
        string $message,
        int $code,
        private readonly string $status,
        private readonly int $httpStatus = 0,
        ?\Throwable $previous = null,
        private readonly string $delivery = 'not_sent',
    ) {
        parent::__construct($message, $code, $previous);
    }

    /**
     * The exception for a status: the subclass of that status, or this class for a status this
     * binding does not know. $status is the name the library gave; by default the binding's own.
     */
    public static function fromStatus(
        int $code,
        string $message,
        int $httpStatus = 0,
        ?string $status = null,
        ?\Throwable $previous = null,
        string $delivery = 'not_sent',
    ): self {
        [$name, $class] = self::STATUSES[$code] ?? ['CAFFESTA_UNKNOWN', self::class];
        $status ??= $name;
        return new $class($message !== '' ? $message : $status, $code, $status, $httpStatus, $previous, $delivery);
    }

    /**
     * The binding's table: status code => [name, exception class].
     * @return array<int, array{string, class-string<self>}>
     */
    public static function statuses(): array
    {
        return self::STATUSES;
    }

    /** The status name, as caffesta_status_name() gives it: "CAFFESTA_ERR_NOT_FOUND". */
    public function getStatus(): string
    {
        return $this->status;
    }

    /** The HTTP status of the last answer, 0 when there was none. */
    public function getHttpStatus(): int
    {
        return $this->httpStatus;
    }

    /**
     * What became of the request: "not_sent" (nothing reached the server, or it proved it did
     * nothing: safe to send again), "may_have_arrived" (a write may have been applied: check
     * before sending it again) or "answered" (the server answered; the status says how).
     */
    public function getDelivery(): string
    {
        return $this->delivery;
    }

    /** True when the request may have reached the server and no answer says what it did. */
    public function mayHaveArrived(): bool
    {
        return $this->delivery === 'may_have_arrived';
    }
}
