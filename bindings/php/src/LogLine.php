<?php

declare(strict_types=1);

namespace Caffesta;

/**
 * One line for people from an event of the request log (include/caffesta.h,
 * caffesta_client_set_log): "PUT /a/v1.0/product/by_ref_code/latte attempt 1: HTTP 503
 * CAFFESTA_ERR_SERVER in 12 ms (reused connection, 310 B sent, 150 B received); retry in 1000 ms
 * (Retry-After 1 s)". The same words as the Python binding's log.
 */
final class LogLine
{
    /** @param array<string, mixed> $event */
    public static function describe(array $event): string
    {
        $text = ($event['method'] ?? '?') . ' ' . ($event['path'] ?? '?');
        if (isset($event['item'])) {
            $text .= " (item {$event['item']})";
        }
        $text .= ' attempt ' . ($event['attempt'] ?? '?') . ': ';
        $text .= isset($event['http_status']) ? "HTTP {$event['http_status']} " : ($event['failure'] ?? 'no answer') . ', ';
        $text .= ($event['status'] ?? '?') . ' in ' . ($event['elapsed_ms'] ?? '?') . ' ms';
        if (isset($event['connection'])) {
            $text .= " ({$event['connection']} connection, " . ($event['bytes_sent'] ?? 0) . ' B sent, '
                . ($event['bytes_received'] ?? 0) . ' B received)';
        }
        if (($event['retry'] ?? false) === true) {
            $text .= '; retry in ' . ($event['retry_delay_ms'] ?? '?') . ' ms';
            if (isset($event['retry_after_s'])) {
                $text .= " (Retry-After {$event['retry_after_s']} s)";
            }
        }
        return $text;
    }
}
