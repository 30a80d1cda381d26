<?php

declare(strict_types=1);

namespace Caffesta\Tests\Support;

/**
 * The local Caffesta emulator (emulator/caffesta_emulator.py) on a free loopback port with an
 * in-memory database: get() is the one shared by the run, stopped at its end; start() makes
 * another (with TLS, say) that the caller stops.
 */
final class Emulator
{
    public const API_KEY = 'php0123456789abcdef0123456789abc';

    private static ?self $instance = null;

    /** @var resource */
    private $process;
    private string $url;
    /** The emulator's stderr. */
    private string $log;

    public static function get(): self
    {
        return self::$instance ??= new self([]);
    }

    /** @param list<string> $arguments more command-line arguments: ['--tls-cert', $pem, ...] */
    public static function start(array $arguments): self
    {
        return new self($arguments);
    }

    public static function script(): string
    {
        return dirname(__DIR__, 4) . '/emulator/caffesta_emulator.py';
    }

    private function __construct(array $arguments)
    {
        $script = self::script();
        if (!is_file($script)) {
            throw new \RuntimeException("the emulator is missing: $script");
        }
        $python = getenv('PYTHON') ?: 'python3';
        $command = [$python, $script, '--host', '127.0.0.1', '--port', '0', '--db', ':memory:',
            '--api-key', self::API_KEY, ...$arguments];
        $env = getenv() + ['PYTHONUNBUFFERED' => '1'];
        $this->log = (string) tempnam(sys_get_temp_dir(), 'caffesta-emulator-');
        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', $this->log, 'w']],
            $pipes, null, $env);
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start ' . implode(' ', $command));
        }
        $this->process = $process;
        register_shutdown_function([$this, 'stop']);
        $line = self::readLine($pipes[1], 20.0);
        fclose($pipes[1]);
        if (!preg_match('~^listening on (https?://127\.0\.0\.1:\d+)$~', $line, $m)) {
            $this->stop();
            throw new \RuntimeException('the emulator did not start: ' . json_encode($line) . ' '
                . file_get_contents($this->log));
        }
        $this->url = $m[1];
    }

    /** @param resource $stream */
    private static function readLine($stream, float $seconds): string
    {
        $deadline = microtime(true) + $seconds;
        $line = '';
        while (!str_contains($line, "\n") && ($left = $deadline - microtime(true)) > 0) {
            $read = [$stream];
            $none = null;
            if (@stream_select($read, $none, $none, 0, (int) min($left * 1e6, 200_000)) > 0) {
                $chunk = fread($stream, 4096);
                if ($chunk === '' || $chunk === false) {
                    break;
                }
                $line .= $chunk;
            }
        }
        return trim(strtok($line, "\n") ?: '');
    }

    public function stop(): void
    {
        if (!is_resource($this->process)) {
            return;
        }
        proc_terminate($this->process, 15);
        $deadline = microtime(true) + 5;
        while (proc_get_status($this->process)['running'] && microtime(true) < $deadline) {
            usleep(20_000);
        }
        if (proc_get_status($this->process)['running']) {
            proc_terminate($this->process, 9);
        }
        proc_close($this->process);
        @unlink($this->log);
        if (self::$instance === $this) {
            self::$instance = null;
        }
    }

    public function url(): string
    {
        return $this->url;
    }

    /** A URL on which nothing listens: the port of a socket just closed. */
    public static function closedPortUrl(): string
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $name = stream_socket_get_name($socket, false);
        fclose($socket);
        return 'http://' . $name;
    }

    /** Calls an admin path under /__emulator/ and returns the decoded answer. */
    public function admin(string $method, string $path, ?array $body = null): mixed
    {
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => "Content-Type: application/json\r\nConnection: close\r\n",
            'content' => $body === null ? '' : json_encode($body, JSON_THROW_ON_ERROR),
            'ignore_errors' => true,
            'timeout' => 10,
        ]]);
        $text = file_get_contents($this->url . '/__emulator/' . $path, false, $context);
        $status = isset($http_response_header[0]) ? (int) explode(' ', $http_response_header[0])[1] : 0;
        if ($text === false || $status !== 200) {
            throw new \RuntimeException("emulator $method $path: HTTP $status " . var_export($text, true));
        }
        return json_decode($text, true, 512, JSON_THROW_ON_ERROR);
    }

    public function reset(): void
    {
        $this->admin('POST', 'reset');
    }

    /** Arms a fault: ['kind' => 'status', 'status' => 503, 'path_prefix' => '/a/v1.0/...', ...]. */
    public function fault(array $spec): void
    {
        $this->admin('POST', 'faults', $spec);
    }

    /** @return list<array{method: string, path: string, headers: array<string, string>, body: string}> */
    public function requests(): array
    {
        return $this->admin('GET', 'requests');
    }

    public function clearRequests(): void
    {
        $this->admin('DELETE', 'requests');
    }

    /** Row counts per table: ['products' => 7, 'invoices' => 0, 'moves' => 0, ...]. */
    public function stats(): array
    {
        return $this->admin('GET', 'stats');
    }

    /** Sets ['delay_ms' => ..., 'job_pending_polls' => ...] until the next reset. */
    public function configure(array $config): void
    {
        $this->admin('POST', 'config', $config);
    }

    /** Marks a product deleted (it then comes in the products feed only when ts != 0). */
    public function deleteProduct(string $refCode): void
    {
        $this->admin('POST', 'products/' . rawurlencode($refCode) . '/delete');
    }
}
