<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Tests\Support\Process;
use PHPUnit\Framework\TestCase;

/**
 * A forked child never touches its parent's connections (issue 13): a php-cli process forks with
 * pcntl_fork() after its client has a kept-alive TLS connection to nginx (HTTP/1.1 and HTTP/2);
 * a child calls and exits (the destructor at exit), frees without calling, calls and unsets, or
 * is killed without freeing. After each, the parent's 20 POSTs all succeed on the connection it
 * had (nginx answers with $connection) and each is in nginx's log once.
 */
final class ForkTest extends TestCase
{
    private static string $directory = '';
    /** @var array<string, string> */
    private static array $urls = [];

    public static function setUpBeforeClass(): void
    {
        if (!function_exists('pcntl_fork') || trim((string) shell_exec('command -v nginx')) === '') {
            return; // each test says what is missing
        }
        $d = self::$directory = sys_get_temp_dir() . '/caffesta-php-fork-' . getmypid();
        @mkdir($d);
        [$code, , $err] = Process::run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
            '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', "$d/key.pem",
            '-out', "$d/cert.pem"]);
        if ($code !== 0) {
            throw new \RuntimeException("openssl failed: $err");
        }
        $servers = '';
        foreach (['http/1.1' => '', 'h2' => ' http2'] as $version => $http2) {
            $socket = stream_socket_server('tcp://127.0.0.1:0');
            $port = (int) substr(strrchr((string) stream_socket_get_name($socket, false), ':'), 1);
            fclose($socket);
            self::$urls[$version] = "https://127.0.0.1:$port";
            $servers .= "server { listen 127.0.0.1:$port ssl$http2; ssl_certificate $d/cert.pem;"
                . " ssl_certificate_key $d/key.pem; keepalive_timeout 60s; keepalive_requests 10000;\n"
                . " location / { return 200 '{\"success\":true,\"data\":{\"id\":\$connection}}'; } }\n";
        }
        file_put_contents("$d/nginx.conf", "worker_processes 1;\ndaemon on;\npid $d/nginx.pid;\n"
            . "error_log $d/error.log warn;\nevents { worker_connections 256; }\nhttp {\n"
            . " log_format fork '\$request_uri \$status';\n access_log $d/access.log fork;\n"
            . " default_type application/json;\n client_body_temp_path $d/body; proxy_temp_path $d/proxy;"
            . " fastcgi_temp_path $d/fcgi; uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;\n$servers}\n");
        [$code, , $err] = Process::run(['nginx', '-p', $d, '-c', "$d/nginx.conf", '-e', "$d/error.log"]);
        if ($code !== 0) {
            throw new \RuntimeException("nginx did not start: $err");
        }
        foreach (self::$urls as $url) {
            $port = (int) substr(strrchr($url, ':'), 1);
            for ($i = 0; $i < 100 && !@fsockopen('127.0.0.1', $port); $i++) {
                usleep(50000);
            }
        }
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$directory !== '' && is_file(self::$directory . '/nginx.pid')) {
            Process::run(['nginx', '-p', self::$directory, '-c', self::$directory . '/nginx.conf', '-s', 'stop']);
        }
    }

    /** @return array<string, array{string}> */
    public static function versions(): array
    {
        return ['HTTP/1.1 over TLS' => ['http/1.1'], 'HTTP/2' => ['h2']];
    }

    /** @dataProvider versions */
    public function testForkedChildrenLeaveTheParentsTlsConnectionAlone(string $version): void
    {
        $this->assertTrue(function_exists('pcntl_fork'), 'php-cli has no pcntl (scripts/bootstrap.sh)');
        $this->assertArrayHasKey($version, self::$urls, 'nginx is not installed (scripts/bootstrap.sh installs it)');
        $tag = 'php-' . str_replace('/', '', $version);
        [$code, $out, $err] = Process::run([PHP_BINARY, __DIR__ . '/scripts/fork.php', self::$urls[$version],
            self::$directory . '/cert.pem', $tag]);
        $this->assertSame(0, $code, $err);
        $result = json_decode($out, true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame(['calls_then_exits' => 0, 'frees_without_calling' => 0, 'calls_then_unsets' => 0,
            'exits_without_freeing' => -SIGKILL], $result['children']);
        $this->assertIsInt($result['parent']);
        // nginx writes a log line after sending the answer: wait for the parent's last POST.
        for ($try = 0; $try < 100; $try++) {
            $log = explode("\n", (string) file_get_contents(self::$directory . '/access.log'));
            if (in_array("/p?t=$tag-exits_without_freeing-19 200", $log, true)) {
                break;
            }
            usleep(20000);
        }
        foreach ($result['after'] as $behaviour => $ids) {
            $this->assertSame(array_fill(0, 20, $result['parent']), $ids, "parent's POSTs after a child that $behaviour");
            for ($i = 0; $i < 20; $i++) {
                $this->assertSame(1, count(array_keys($log, "/p?t=$tag-$behaviour-$i 200")));
            }
        }
    }
}
