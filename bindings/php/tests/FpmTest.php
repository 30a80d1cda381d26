<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Library;
use Caffesta\Tests\Support\Emulator;
use Caffesta\Tests\Support\EmulatorTestCase;
use Caffesta\Tests\Support\FastCgi;
use Caffesta\Tests\Support\Process;

/**
 * The set-up of README.md under a real php-fpm, when one is installed (Debian: php8.2-fpm):
 * ffi.enable=preload, the binding preloaded, a request served by a worker that uses Client.
 * As root the master preloads as opcache.preload_user, so ffi.preload declares the scope;
 * otherwise preload.php does it with FFI::load().
 */
final class FpmTest extends EmulatorTestCase
{
    private static function fpmBinary(): ?string
    {
        foreach (['php-fpm' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION, 'php-fpm'] as $name) {
            foreach ([...explode(':', (string) getenv('PATH')), '/usr/sbin', '/usr/local/sbin'] as $dir) {
                if ($dir !== '' && is_executable("$dir/$name")) {
                    return "$dir/$name";
                }
            }
        }
        return null;
    }

    public function testAPhpFpmWorkerUsesThePreloadedBinding(): void
    {
        $fpm = self::fpmBinary();
        if ($fpm === null) {
            $this->markTestSkipped('php-fpm is not installed');
        }
        $root = function_exists('posix_geteuid') && posix_geteuid() === 0;
        if ($root && !Process::readableByNobody(__DIR__ . '/scripts/fpm_request.php', dirname(__DIR__) . '/preload.php')) {
            $this->markTestSkipped('the php-fpm worker (nobody) cannot read this checkout');
        }
        $dir = sys_get_temp_dir() . '/caffesta-fpm-' . getmypid();
        mkdir($dir, 0755);
        $ini = ['opcache.enable=1', 'ffi.enable=preload', 'opcache.preload=' . dirname(__DIR__) . '/preload.php'];
        $pool = ['[www]', "listen = $dir/fpm.sock", 'pm = static', 'pm.max_children = 1'];
        if ($root) {
            file_put_contents("$dir/caffesta-ffi.h", Library::preloadHeader(Library::preloadLibrary(), Library::loadDeclarations()));
            array_push($ini, 'opcache.preload_user=nobody', "ffi.preload=$dir/caffesta-ffi.h");
            array_push($pool, 'user = nobody', 'group = ' . (posix_getgrnam('nogroup') ? 'nogroup' : 'nobody'));
        }
        file_put_contents("$dir/php.ini", implode("\n", $ini) . "\n");
        file_put_contents("$dir/fpm.conf", "[global]\nerror_log = $dir/error.log\ndaemonize = no\n" . implode("\n", $pool) . "\n");
        $process = proc_open([$fpm, '-c', "$dir/php.ini", '-y', "$dir/fpm.conf", '-F'],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$dir/fpm.out", 'w'], 2 => ['file', "$dir/fpm.out", 'a']], $pipes);
        try {
            $deadline = microtime(true) + 10;
            while (!file_exists("$dir/fpm.sock") && proc_get_status($process)['running'] && microtime(true) < $deadline) {
                usleep(50_000);
            }
            $log = static fn (): string => @file_get_contents("$dir/fpm.out") . @file_get_contents("$dir/error.log");
            $this->assertFileExists("$dir/fpm.sock", 'php-fpm did not start: ' . $log());

            $query = http_build_query(['url' => $this->emulator->url(), 'key' => Emulator::API_KEY]);
            [$response, $stderr] = FastCgi::get("$dir/fpm.sock", __DIR__ . '/scripts/fpm_request.php', $query);
            $body = substr($response, (int) strpos($response, "\r\n\r\n") + 4);
            $this->assertSame([
                'sapi' => 'fpm-fcgi', 'ffi.enable' => 'preload', 'preloaded' => true, 'upsert' => 'created',
                'mode' => 'scope', 'ffi_outside_preload' => 'FFI API is restricted by "ffi.enable" configuration directive',
            ], json_decode($body, true), $response . $stderr . $log());
        } finally {
            proc_terminate($process, 15);
            proc_close($process);
            array_map('unlink', glob("$dir/*") ?: []);
            rmdir($dir);
        }
    }
}
