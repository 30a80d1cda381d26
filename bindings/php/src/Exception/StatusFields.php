<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/**
 * The constructor and getters of an exception that carries a library status: shared by
 * StatusException (a \RuntimeException) and InvalidArgumentException (an \InvalidArgumentException),
 * which PHP's single inheritance keeps apart.
 * @internal
 */
trait StatusFields
{
    /**
     * $code is the caffesta_status number, $status its name, $httpStatus the HTTP status of the
     * last answer (0: none), $delivery what became of the request ("not_sent",
     * "may_have_arrived", "answered"). A shop's own tests may throw what a client would:
     * `new ApiException('POST ...: refused', 9, 'CAFFESTA_ERR_API', 200)`.
     */
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

    public function getStatus(): string
    {
        return $this->status;
    }

    public function getHttpStatus(): int
    {
        return $this->httpStatus;
    }

    public function getDelivery(): string
    {
        return $this->delivery;
    }

    public function mayHaveArrived(): bool
    {
        return $this->delivery === 'may_have_arrived';
    }
}
