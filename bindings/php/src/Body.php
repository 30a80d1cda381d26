<?php

declare(strict_types=1);

namespace Caffesta;

use Caffesta\Exception\StatusException;

/**
 * The JSON text of a named write's body. Databases hand PHP their decimals as strings ('12.50'):
 * in a field the API documents as a number, a numeric string is sent as the number it spells,
 * exactly ('12.50' goes out as 12.50, never through a float); any other string there is refused
 * before any request, naming the field. Elsewhere values go as json_encode writes them.
 * request() sends its body as given: strings stay strings there.
 *
 * @internal used by Client
 */
final class Body
{
    /** A JSON number, written as text: what a numeric string must look like. */
    public const NUMBER = '/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/D';

    private const ENCODE = JSON_THROW_ON_ERROR | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES
        | JSON_PRESERVE_ZERO_FRACTION;
    private const DEPTH = 4096;

    private const PRODUCT = ['caf_tax_id', 'cancellation_type', 'weight_in_gram', 'prices.*.caf_shop_id',
        'prices.*.caf_storage_id', 'prices.*.price', 'prices.*.self_cost'];

    /** The numeric fields of each kind of body, as paths ("*": every element of a list). */
    public const NUMERIC_FIELDS = [
        'product' => self::PRODUCT,
        'invoice' => ['sum', 'storage.caf_id', 'items.*.amount', 'items.*.price', 'items.*.caf_tax_id',
            'items.*.price_with_tax', 'items.*.cost', 'items.*.cost_with_tax', 'products.*.caf_tax_id',
            'products.*.cancellation_type', 'products.*.weight_in_gram', 'products.*.prices.*.caf_shop_id',
            'products.*.prices.*.caf_storage_id', 'products.*.prices.*.price', 'products.*.prices.*.self_cost'],
        'move' => ['storage_from.caf_id', 'storage_to.caf_id', 'items.*.amount'],
        'order' => ['bill.pos_id', 'bill.app_id', 'bill.delivery_type', 'bill.total_sum',
            'bill.payments.*.payment_id', 'bill.payments.*.value', 'bill.items.*.count', 'bill.items.*.price',
            'bill.items.*.discount_sum', 'bill.items.*.origin_price', 'bill.items.*.total_sum',
            'bill.items.*.product_id', 'bill.client.discount_group.id'],
        'menu' => ['menus.*.caf_id', 'items.*.weight_in_gram', 'items.*.tax_id', 'items.*.menus.*',
            'items.*.prices.*.shop_id', 'items.*.prices.*.value', 'items.*.prices.*.value_day',
            'items.*.balances.*.storage_id', 'items.*.balances.*.balance'],
    ];

    /**
     * JSON text of $value; $kind names its numeric fields (a key of NUMERIC_FIELDS), null for none.
     * A top-level [] becomes {} (every API body is an object).
     */
    public static function encode(mixed $value, string $what, ?string $kind = null): string
    {
        if ($value === []) {
            return '{}';
        }
        $numbers = [];
        if ($kind !== null && is_array($value)) {
            $paths = self::$paths[$kind] ??= array_map(static fn (string $path): array => explode('.', $path),
                self::NUMERIC_FIELDS[$kind]);
            $nonce = null;
            foreach ($paths as $path) {
                // Marking writes into (and so copies) the array: only where a string is to be marked.
                if (self::hasString($value, $path)) {
                    $nonce ??= bin2hex(random_bytes(8));
                    $value = self::mark($value, $path, '', $numbers, $nonce, $what);
                }
            }
        }
        // serialize_precision -1: floats in the shortest form that reads back as the same value
        // (7.6, not 7.5999999999999996), whatever php.ini says; the library sends the text as is.
        // Set (and put back) only when php.ini says otherwise.
        $precision = ini_get('serialize_precision');
        $changed = $precision !== '-1' && ini_set('serialize_precision', '-1') !== false;
        try {
            $json = json_encode($value, self::ENCODE, self::DEPTH);
        } catch (\JsonException $e) {
            throw StatusException::fromStatus(Status::INVALID_ARGUMENT, "$what cannot be encoded as JSON: {$e->getMessage()}", 0, null, $e);
        } finally {
            if ($changed) {
                ini_set('serialize_precision', $precision);
            }
        }
        return $numbers === [] ? $json : strtr($json, $numbers);
    }

    /** @var array<string, list<list<string>>> the paths of NUMERIC_FIELDS, split once per kind */
    private static array $paths = [];

    /** Whether mark() would meet a string on $path (read only: nothing is copied). */
    private static function hasString(mixed $value, array $path, int $at = 0): bool
    {
        if ($at === count($path)) {
            return is_string($value);
        }
        if (!is_array($value)) {
            return false;
        }
        $step = $path[$at];
        if ($step === '*') {
            if (!array_is_list($value)) {
                return false;
            }
            foreach ($value as $item) {
                if (self::hasString($item, $path, $at + 1)) {
                    return true;
                }
            }
            return false;
        }
        return array_key_exists($step, $value) && self::hasString($value[$step], $path, $at + 1);
    }

    /**
     * Replaces each numeric string at $path with a token that cannot occur in caller text, and
     * records the JSON number that replaces the token's quoted form once encoded.
     * @param list<string> $path
     * @param array<string, string> $numbers
     */
    private static function mark(mixed $value, array $path, string $where, array &$numbers, string $nonce,
        string $what): mixed
    {
        if ($path === []) {
            if (!is_string($value)) {
                return $value;
            }
            if (preg_match(self::NUMBER, $value) !== 1) {
                throw StatusException::fromStatus(Status::INVALID_ARGUMENT, "$what: $where must be a number, or a numeric string "
                    . "such as '12.50'; got " . json_encode($value, JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE));
            }
            $token = "\u{E000}$nonce:" . count($numbers);
            $numbers['"' . $token . '"'] = $value;
            return $token;
        }
        if (!is_array($value)) {
            return $value;
        }
        $step = array_shift($path);
        if ($step === '*') {
            if (!array_is_list($value)) {
                return $value;
            }
            foreach ($value as $i => $item) {
                $value[$i] = self::mark($item, $path, "{$where}[$i]", $numbers, $nonce, $what);
            }
            return $value;
        }
        if (!array_key_exists($step, $value)) {
            return $value;
        }
        $value[$step] = self::mark($value[$step], $path, $where === '' ? $step : "$where.$step", $numbers, $nonce, $what);
        return $value;
    }
}
