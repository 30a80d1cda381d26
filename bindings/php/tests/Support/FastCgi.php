<?php

declare(strict_types=1);

namespace Caffesta\Tests\Support;

/** Just enough of a FastCGI client to send one GET to php-fpm over a unix socket. */
final class FastCgi
{
    private const BEGIN_REQUEST = 1;
    private const END_REQUEST = 3;
    private const PARAMS = 4;
    private const STDIN = 5;
    private const STDOUT = 6;
    private const STDERR = 7;

    /** @return array{string, string} the script's output (headers and body) and its stderr */
    public static function get(string $socket, string $script, string $query, float $timeout = 15.0): array
    {
        $connection = @stream_socket_client("unix://$socket", $errno, $error, $timeout);
        if ($connection === false) {
            throw new \RuntimeException("cannot connect to php-fpm at $socket: $error");
        }
        stream_set_timeout($connection, (int) ceil($timeout));
        $params = ['SCRIPT_FILENAME' => $script, 'REQUEST_METHOD' => 'GET', 'QUERY_STRING' => $query,
            'SERVER_PROTOCOL' => 'HTTP/1.1', 'GATEWAY_INTERFACE' => 'CGI/1.1'];
        $encoded = '';
        foreach ($params as $name => $value) {
            $encoded .= self::length(strlen($name)) . self::length(strlen($value)) . $name . $value;
        }
        fwrite($connection, self::record(self::BEGIN_REQUEST, pack('nCx5', 1, 0))   // responder, close after
            . self::record(self::PARAMS, $encoded) . self::record(self::PARAMS, '')
            . self::record(self::STDIN, ''));
        $out = $err = '';
        while (true) {
            $header = self::read($connection, 8);
            ['type' => $type, 'length' => $length, 'padding' => $padding] =
                unpack('Cversion/Ctype/nid/nlength/Cpadding/x', $header);
            $content = self::read($connection, $length + $padding);
            if ($type === self::STDOUT) {
                $out .= substr($content, 0, $length);
            } elseif ($type === self::STDERR) {
                $err .= substr($content, 0, $length);
            } elseif ($type === self::END_REQUEST) {
                fclose($connection);
                return [$out, $err];
            }
        }
    }

    private static function record(int $type, string $content): string
    {
        return pack('CCnnCx', 1, $type, 1, strlen($content), 0) . $content;
    }

    private static function length(int $n): string
    {
        return $n < 128 ? chr($n) : pack('N', $n | 0x80000000);
    }

    /** @param resource $connection */
    private static function read($connection, int $n): string
    {
        $data = '';
        while (strlen($data) < $n) {
            $chunk = fread($connection, $n - strlen($data));
            if ($chunk === false || $chunk === '') {
                throw new \RuntimeException('php-fpm closed the connection or timed out');
            }
            $data .= $chunk;
        }
        return $data;
    }
}
