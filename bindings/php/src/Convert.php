<?php

declare(strict_types=1);

namespace Caffesta;

use Caffesta\Exception\CaffestaException;
use Caffesta\Exception\StatusException;

/**
 * The PHP binding's converters: each turns an argument into what its C parameter takes (a string
 * without NUL bytes, JSON text, an int in range), or refuses it before any request with an
 * InvalidArgumentException that names the argument. The generated endpoint methods (ClientTrait)
 * and Client call them.
 *
 * @internal used by Client
 */
final class Convert
{
    private const INT_MIN = -0x80000000;
    private const INT_MAX = 0x7fffffff;

    /**
     * The JSON text of a body. $kind names which body it is (product, invoice, move, order, menu:
     * Body::NUMERIC_FIELDS), for its numeric fields and its own conversions: a storage document's
     * date-time, an order's times, a product's ref_code; null for none (request(), known).
     * @param array<mixed> $value
     */
    public static function body(array $value, string $what, ?string $kind = null): string
    {
        $value = match ($kind) {
            'product' => self::product($value, $what),
            'invoice', 'move' => self::withDocumentDate($value, $what),
            'order' => self::withOrderTimes($value),
            default => $value,
        };
        return Body::encode($value, $what, $kind);
    }

    /** A string argument for a const char* parameter. */
    public static function text(string $value, string $name): string
    {
        self::checkText($name, $value);
        return $value;
    }

    /** A calendar day: "YYYY-MM-DD" as given, or the day of a date-time in its own zone. */
    public static function day(string|\DateTimeInterface $value, string $name): string
    {
        return $value instanceof \DateTimeInterface ? $value->format('Y-m-d') : self::text($value, $name);
    }

    /** An ISO 8601 moment: a string as given, or a date-time with its zone ("2022-04-20T05:00+03:00"). */
    public static function moment(string|\DateTimeInterface $value, string $name): string
    {
        if (!$value instanceof \DateTimeInterface) {
            return self::text($value, $name);
        }
        if ($value->format('u') !== '000000') {
            throw self::invalid("$name has microseconds, which the API does not take: " . $value->format('Y-m-d\TH:i:s.uP'));
        }
        return $value->format($value->format('s') === '00' ? 'Y-m-d\TH:iP' : 'Y-m-d\TH:i:sP');
    }

    /** An update feed's ts: Unix seconds (0: everything), or a date-time's second. */
    public static function ts(int|\DateTimeInterface $ts): int
    {
        return $ts instanceof \DateTimeInterface ? $ts->getTimestamp() : $ts;
    }

    /** An int for a C long parameter (32 bits on some platforms). */
    public static function cLong(int $value, string $name): int
    {
        if (PHP_INT_SIZE > \FFI::sizeof(\FFI::type('long')) && ($value < self::INT_MIN || $value > self::INT_MAX)) {
            throw self::invalid("$name is out of range: $value");
        }
        return $value;
    }

    /** An int for a C int parameter. */
    public static function cInt(int $value, string $message): int
    {
        if ($value < self::INT_MIN || $value > self::INT_MAX) {
            throw self::invalid($message);
        }
        return $value;
    }

    /**
     * A product body whose ref_code, when it has one, is text. A number there is refused before any
     * request, saying how to send it: a ref_code is the integrator's code as a string (1001 and
     * '01001' are two codes), and it comes back as a string in every answer.
     * @param array<mixed> $product
     * @return array<mixed>
     */
    private static function product(array $product, string $what): array
    {
        $refCode = $product['ref_code'] ?? null;
        if (is_int($refCode) || is_float($refCode)) {
            throw self::invalid("$what: ref_code must be a string, not the " . get_debug_type($refCode) . " $refCode: "
                . "a ref_code is text; send a number SKU as its digits, 'ref_code' => (string) \$sku");
        }
        return $product;
    }

    /**
     * An invoice or a move whose 'date' is a DateTimeInterface: written "YYYY-MM-DD HH:MM" in UTC, as
     * the API documents it. Seconds would be lost, so a date-time with seconds is refused. A string is
     * sent as given; the library refuses any other form than "YYYY-MM-DD HH:MM" before any request.
     * @param array<mixed> $document
     * @return array<mixed>
     */
    private static function withDocumentDate(array $document, string $what): array
    {
        $date = $document['date'] ?? null;
        if ($date instanceof \DateTimeInterface) {
            if ($date->format('s.u') !== '00.000000') {
                throw self::invalid("$what: date is to the minute (\"YYYY-MM-DD HH:MM\", UTC); "
                    . $date->format('Y-m-d H:i:s.u') . ' has seconds, which would be lost');
            }
            $document['date'] = self::utc($date)->format('Y-m-d H:i');
        }
        return $document;
    }

    /**
     * An order whose bill.created_at / started_at are DateTimeInterfaces: "YYYY-MM-DDTHH:MM:SS" in UTC.
     * The API takes whole seconds: a fraction of a second (new DateTimeImmutable() has one) is
     * dropped, never rounded up.
     * @param array<mixed> $order
     * @return array<mixed>
     */
    private static function withOrderTimes(array $order): array
    {
        if (!is_array($order['bill'] ?? null)) {
            return $order;
        }
        foreach (['created_at', 'started_at'] as $field) {
            $time = $order['bill'][$field] ?? null;
            if ($time instanceof \DateTimeInterface) {
                $order['bill'][$field] = self::utc($time)->format('Y-m-d\\TH:i:s');
            }
        }
        return $order;
    }

    private static function utc(\DateTimeInterface $time): \DateTimeImmutable
    {
        return \DateTimeImmutable::createFromInterface($time)->setTimezone(new \DateTimeZone('UTC'));
    }

    /** The account name or key: false or '' (an unset variable read with getenv()) is refused with a hint. */
    public static function credential(string $name, string|false $value, string $variable): string
    {
        if ($value === false || $value === '') {
            throw self::invalid("$name is empty" . ($value === false ? ' (false)' : '')
                . ": when it comes from getenv('$variable'), $variable is not set in this process."
                . " Under php-fpm, the pool's clear_env (on by default) hides the master's environment"
                . " from workers: add env[$variable] = \$$variable to the pool");
        }
        return $value;
    }

    /** C strings end at the first NUL byte: refuse one rather than send a shorter string. */
    public static function checkText(string $name, string $value): void
    {
        if (str_contains($value, "\0")) {
            throw self::invalid("$name contains a NUL byte");
        }
    }

    /** @param array<string, mixed> $options */
    public static function stringOption(array $options, string $name): string
    {
        if (!is_string($options[$name])) {
            throw self::invalid("option $name must be a string, not " . get_debug_type($options[$name]));
        }
        return self::text($options[$name], $name);
    }

    /** @param array<string, mixed> $options */
    public static function intOption(array $options, string $name): ?int
    {
        if (!array_key_exists($name, $options)) {
            return null;
        }
        if (!is_int($options[$name])) {
            throw self::invalid("option $name must be an int, not " . get_debug_type($options[$name]));
        }
        return $options[$name];
    }

    public static function invalid(string $message, ?\Throwable $previous = null): CaffestaException
    {
        return StatusException::fromStatus(Status::INVALID_ARGUMENT, $message, 0, null, $previous);
    }
}
