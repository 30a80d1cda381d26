<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Library;
use Caffesta\Tests\Support\Emulator;
use Caffesta\Tests\Support\EmulatorTestCase;
use Caffesta\Tests\Support\Process;
use Caffesta\Tests\Support\Readme;

/**
 * The php-fpm recipe of bindings/php/README.md, run as written: its blocks (php.ini, the pool, the
 * nginx site, the shop's script) and its line for starting the master without systemd are read
 * from the README, only the paths replaced by this test's own and the port by a free one.
 *   - a root master: the packaged route. The shop's vendor/ comes from the README's Composer lines
 *     (the clone's path repository); the library, staged, stands in for the .deb's through
 *     LD_LIBRARY_PATH in the master's environment (the shipped caffesta.ffi.h names
 *     libcaffesta.so.1 for the system loader). make dist-check runs the same blocks word for word
 *     in a Debian 13 system with the .deb installed.
 *   - an ordinary master: the source route of the README's note, the binding of a copy of the
 *     tree and a header naming the library's absolute path (ffi-header.php).
 * A request goes nginx -> php-fpm -> the preloaded binding -> the emulator; the account, the key
 * and the base URL reach the worker only through the env file and the pool's env[...] lines, and
 * the site wins over a default server like Debian's. The pool runs one worker (its pm lines'
 * numbers changed), so that the recipe's persistent client is seen to keep its connection from one
 * request to the next, in the emulator's log.
 */
final class FpmTest extends EmulatorTestCase
{
    /** The fenced block after "<!-- fpm-recipe: $name -->" in the binding's README. */
    public static function recipe(string $name): string
    {
        return Readme::block('fpm-recipe', $name);
    }

    private static function binary(string ...$names): ?string
    {
        foreach ($names as $name) {
            foreach ([...explode(':', (string) getenv('PATH')), '/usr/sbin', '/usr/local/sbin'] as $dir) {
                if ($dir !== '' && is_executable("$dir/$name")) {
                    return "$dir/$name";
                }
            }
        }
        return null;
    }

    private static function isRoot(): bool
    {
        return function_exists('posix_geteuid') && posix_geteuid() === 0;
    }

    public function testTheRecipeServesARequestWithTheMasterAsRoot(): void
    {
        if (!self::isRoot()) {
            $this->markTestSkipped('a root master needs the test to run as root');
        }
        $this->assertRecipeWorks($this->runRecipe(asNobody: false));
    }

    public function testTheRecipeServesARequestWithAnOrdinaryMaster(): void
    {
        if (self::isRoot() && Process::asNobody() === null) {
            $this->markTestSkipped('running as root without setpriv to start the master as nobody');
        }
        $this->assertRecipeWorks($this->runRecipe(asNobody: self::isRoot()));
    }

    /** No other page gives another recipe: every php.ini block that preloads the binding is this one. */
    public function testNoOtherPageGivesAnotherRecipe(): void
    {
        $root = dirname(__DIR__, 3);
        $pages = [$root . '/README.md', ...glob($root . '/docs/*.md'), Readme::FILE];
        $found = 0;
        foreach ($pages as $page) {
            preg_match_all("/```ini\n((?:(?!```).)*opcache\.preload=(?:(?!```).)*)```/s", (string) file_get_contents($page), $m);
            foreach ($m[1] as $block) {
                $this->assertSame(self::recipe('php.ini'), $block, "$page gives another php.ini for php-fpm");
                $found++;
            }
        }
        $this->assertGreaterThanOrEqual(1, $found);
        $this->assertStringContainsString('env[CAFFESTA_API_KEY] = $CAFFESTA_API_KEY', self::recipe('pool'));
        $this->assertStringContainsString('env[CAFFESTA_BASE_URL] = $CAFFESTA_BASE_URL', self::recipe('pool'));
        $this->assertStringContainsString('server_name localhost;', self::recipe('nginx'));
        self::startLine();
    }

    /**
     * The header command refuses what would stop the master, with its usage: a path that is not a
     * file, a file that is no library, a library that is not libcaffesta, an option it does not know.
     */
    public function testTheHeaderCommandRefusesAPathItCannotLoad(): void
    {
        $command = [PHP_BINARY, dirname(__DIR__) . '/bin/ffi-header.php'];
        foreach ([
            [sys_get_temp_dir(), 1, 'a directory, not the library file'],
            ['libcaffesta.so.1', 1, 'libcaffesta.so.1: no such file'],
            [__FILE__, 1, 'not an ELF shared object'],
            ['--version', 2, 'unknown option --version'],
        ] as [$argument, $status, $why]) {
            [$code, $out, $err] = Process::run([...$command, $argument]);
            $this->assertSame([$status, ''], [$code, $out], $argument);
            $this->assertStringContainsString($why, $err);
            $this->assertStringContainsString('usage: php ffi-header.php LIBRARY', $err);
        }
        [$code, $out, $err] = Process::run([...$command, '--help']);
        $this->assertSame([0, ''], [$code, $err]);
        $this->assertStringStartsWith('usage: php ffi-header.php LIBRARY', $out);
        $this->assertStringNotContainsString('#define', $out);
    }

    private function assertRecipeWorks(array $answer): void
    {
        $pid = $answer['pid'] ?? null;
        unset($answer['pid']);
        $this->assertSame([
            'shop' => "caffesta: ok\n", 'sapi' => 'fpm-fcgi', 'preloaded' => true, 'key_from_env' => true,
            'account' => 'demo', 'base_url' => $this->emulator->url(), 'upsert' => 'created', 'mode' => 'scope',
            'reused' => true, 'ffi_outside_preload' => 'refused',
        ], $answer);
        // The second request (check.php) went over the first one's (shop.php's) connection.
        $peers = [];
        foreach ($this->emulator->requests() as $request) {
            $peers[$request['method'] . ' ' . $request['path']][] = $request['peer'];
        }
        $check = $peers["PUT /a/v1.0/product/by_ref_code/fpm%2F$pid"] ?? [];
        $this->assertCount(2, $peers['GET /a/v1.0/storage/test'] ?? [], json_encode($peers));
        $this->assertCount(1, array_unique([...$peers['GET /a/v1.0/storage/test'], ...$check]), json_encode($peers));
    }

    /**
     * A worker's requests: nothing of one reaches the next but the connection. A request that set a
     * logger, a low retry count and a limit of one kept set, then died of a fatal error: the next
     * request's client logs nothing, retries a 503 as the default says, and its set of connections
     * takes the place of the dead request's (released at shutdown: it would be held for ever
     * otherwise) — kept, so the request after it reuses it. A call with its own timeout ends at it,
     * and the next request's call, without one, waits out a longer hold. The worker lives throughout.
     */
    public function testAWorkerKeepsItsConnectionAndNothingElse(): void
    {
        if (!self::isRoot()) {
            $this->markTestSkipped('a root master needs the test to run as root');
        }
        $pages = ['fatal.php' => self::FATAL, 'after.php' => self::AFTER, 'timeout.php' => self::TIMEOUT];
        $answers = $this->runRecipe(asNobody: false, pages: $pages, visit: function (\Closure $get): array {
                $answers = ['fatal' => $get('/fatal.php')];
                $this->emulator->fault(['kind' => 'status', 'status' => 503, 'method' => 'GET',
                    'path_prefix' => '/a/v1.0/storage/test']);
                $answers['first'] = json_decode((string) $get('/after.php'), true);
                $answers['second'] = json_decode((string) $get('/after.php'), true);
                $this->emulator->fault(['kind' => 'hang', 'delay_ms' => 5_000, 'path_prefix' => '/a/v1.0/storage/test']);
                $answers['timeout'] = json_decode((string) $get('/timeout.php'), true);
                $this->emulator->fault(['kind' => 'delay', 'delay_ms' => 600, 'path_prefix' => '/a/v1.0/storage/test']);
                $answers['third'] = json_decode((string) $get('/after.php'), true);
                return $answers;
            });
        $this->assertSame(1, preg_match('/^logged: 1 pid: (\d+)$/m', (string) $answers['fatal'], $fatal),
            (string) $answers['fatal']);
        $this->assertStringNotContainsString('after the fatal error', (string) $answers['fatal']);
        $first = $answers['first'];
        $second = $answers['second'];
        $this->assertIsArray($first, json_encode($answers));
        $this->assertSame(['reused' => false, 'logged' => 0, 'error' => null], array_diff_key($first, ['pid' => 0]));
        $this->assertSame(['reused' => true, 'logged' => 0, 'error' => null], array_diff_key($second, ['pid' => 0]));
        $this->assertSame(['pid' => (int) $fatal[1], 'error' => 'Caffesta\\Exception\\TimeoutException'], $answers['timeout']);
        $this->assertSame(['pid' => (int) $fatal[1], 'reused' => true, 'logged' => 0, 'error' => null], $answers['third']);
        $this->assertSame([(int) $fatal[1], (int) $fatal[1]], [$first['pid'], $second['pid']]);
        $gets = array_values(array_filter($this->emulator->requests(),
            static fn (array $r): bool => $r['path'] === '/a/v1.0/storage/test'));
        // fatal's GET; after's 503 and its retry; after's second GET over the same connection; the
        // timed-out GET; the third after's.
        $this->assertCount(6, $gets);
        $this->assertSame($gets[2]['peer'], $gets[3]['peer']);
    }

    /** The README's line for a master started without systemd, exporting the env file's variables. */
    private static function startLine(): string
    {
        $text = (string) file_get_contents(Readme::FILE);
        if (preg_match('/`(set -a; \. \/etc\/caffesta\.env; set \+a; exec php-fpm8\.2 [^`]*)`/', $text, $match) !== 1) {
            throw new \RuntimeException('no line for starting php-fpm without systemd in ' . Readme::FILE);
        }
        return $match[1];
    }

    /**
     * Runs the recipe and returns the shop script's JSON answer (or a failure message); or, given
     * $visit, what $visit($get) returns, $pages (name => PHP) being in the document root too.
     * @param array<string, string> $pages
     */
    private function runRecipe(bool $asNobody, array $pages = [], ?\Closure $visit = null): array
    {
        $fpm = self::binary('php-fpm' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION, 'php-fpm');
        $nginx = self::binary('nginx');
        $this->assertNotNull($fpm, 'php-fpm is not installed (scripts/bootstrap.sh installs it)');
        $this->assertNotNull($nginx, 'nginx is not installed (scripts/bootstrap.sh installs it)');
        $staged = Library::libraryName();
        $this->assertStringContainsString('/', $staged, 'CAFFESTA_LIBRARY must name the staged library');

        // The binding and the staged library, copied where the workers' user can read them whatever
        // the checkout's permissions; the shop's project with its document root.
        $dir = sys_get_temp_dir() . '/caffesta-fpm-' . getmypid() . ($asNobody ? '-nobody' : '-root');
        mkdir("$dir/shop/public", 0755, true);
        mkdir("$dir/lib", 0755);
        mkdir("$dir/libcaffesta/bindings", 0755, true);
        mkdir("$dir/libcaffesta/include", 0755);
        Process::run(['cp', '-R', dirname(__DIR__), "$dir/libcaffesta/bindings/php"]);
        copy(dirname(__DIR__, 3) . '/include/caffesta.h', "$dir/libcaffesta/include/caffesta.h");
        copy($staged, "$dir/lib/libcaffesta.so.1");
        $port = self::freePort();
        $paths = [
            '/home/me/libcaffesta' => "$dir/libcaffesta",
            '/etc/php/8.2/fpm/' => "$dir/",
            '/run/php/php8.2-fpm.sock' => "$dir/fpm.sock",
            '/var/www/shop' => "$dir/shop",
            'listen 80;' => "listen 127.0.0.1:$port;",
            "listen [::]:80;\n" => '',   // the test asks 127.0.0.1 (the host may have no IPv6)
            '/etc/caffesta.env' => "$dir/caffesta.env",
        ];
        $phpIni = self::recipe('php.ini');
        $masterEnv = [];
        if (!$asNobody) {
            // The packaged route: vendor/ from the README's Composer lines (Packagist off: no
            // network here), the library where the loader finds it, as the .deb puts it.
            file_put_contents("$dir/shop/composer.json", "{\"repositories\": {\"packagist.org\": false}}\n");
            $composer = strtr(Readme::block('composer', 'clone'), $paths);
            [$code, $out, $err] = Process::run(['sh', '-ec', $composer], ['COMPOSER_HOME' => "$dir/composer-home",
                'COMPOSER_ALLOW_SUPERUSER' => '1', 'COMPOSER_NO_INTERACTION' => '1'], "$dir/shop");
            $this->assertSame(0, $code, "the README's Composer lines failed: $composer\n$out$err");
            $masterEnv['LD_LIBRARY_PATH'] = "$dir/lib";
        } else {
            // The source route of the README's note: the binding of the tree, a header naming the library.
            $note = (string) file_get_contents(Readme::FILE);
            foreach (['ffi.preload=/home/me/libcaffesta/bindings/php/caffesta.ffi.h',
                      'opcache.preload=/home/me/libcaffesta/bindings/php/preload.php'] as $line) {
                $this->assertStringContainsString("`$line`", $note);
            }
            $header = strtr(self::recipe('source header'), $paths
                + ['/opt/libcaffesta-1.1.0-linux-x86_64/lib/libcaffesta.so.1' => "$dir/lib/libcaffesta.so.1"]);
            [$code, , $err] = Process::run(['sh', '-c', $header]);
            $this->assertSame(0, $code, "the header command failed: $header\n$err");
            $phpIni = strtr((string) preg_replace('/^ffi\.preload=.*$/m', 'ffi.preload=/etc/php/8.2/fpm/caffesta-ffi.h', $phpIni),
                ['/var/www/shop/vendor/caffesta/caffesta' => '/home/me/libcaffesta/bindings/php']);
        }
        Process::run(['chmod', '-R', 'a+rX', $dir]);
        if ($asNobody) {
            chown($dir, 'nobody');
        }
        file_put_contents("$dir/php.ini", strtr($phpIni, $paths));
        $pool = strtr(self::recipe('pool'), $paths);
        $oneWorker = ['pm.max_children = 5' => 'pm.max_children = 1', 'pm.start_servers = 2' => 'pm.start_servers = 1',
            'pm.max_spare_servers = 3' => 'pm.max_spare_servers = 1'];
        foreach (array_keys($oneWorker) as $line) {
            $this->assertStringContainsString("\n$line\n", $pool, 'the pool recipe changed: update this test');
        }
        $pool = strtr($pool, $oneWorker);
        if ($asNobody) {   // the README's "a root master only" lines, left out as it says
            $pool = (string) preg_replace('/^; A root master only.*\n(.*\n){4}/m', '', $pool, 1, $count);
            $this->assertSame(1, $count, 'the pool recipe has no "A root master only" lines');
        }
        file_put_contents("$dir/fpm.conf", "[global]\nerror_log = $dir/fpm-error.log\ndaemonize = no\n\n" . $pool);
        copy('/etc/nginx/fastcgi_params', "$dir/fastcgi_params");
        file_put_contents("$dir/nginx.conf", "daemon off;\nworker_processes 1;\n"
            . (self::isRoot() ? ($asNobody ? "user nobody nogroup;\n" : "user www-data;\n") : '')
            . "pid $dir/nginx.pid;\nerror_log $dir/nginx-error.log;\nevents { worker_connections 64; }\n"
            . "http {\n    access_log off;\n    client_body_temp_path $dir/body;\n    fastcgi_temp_path $dir/fastcgi;\n"
            . "    proxy_temp_path $dir/proxy;\n    uwsgi_temp_path $dir/uwsgi;\n    scgi_temp_path $dir/scgi;\n"
            // Debian's sites-enabled/default: the default server, answering any other host with a 404.
            . "server {\n    listen 127.0.0.1:$port default_server;\n    server_name _;\n    return 404;\n}\n"
            . strtr(self::recipe('nginx'), $paths) . "}\n");
        file_put_contents("$dir/shop/public/shop.php", self::recipe('script'));
        file_put_contents("$dir/shop/public/check.php", self::CHECK);
        foreach ($pages as $name => $code) {
            file_put_contents("$dir/shop/public/$name", $code);
        }

        // The master's environment: the env file, exported by the README's start line; nothing
        // of the test's own CAFFESTA_* (no CAFFESTA_LIBRARY: the recipe must not need it).
        file_put_contents("$dir/caffesta.env", "CAFFESTA_ACCOUNT=demo\nCAFFESTA_API_KEY=" . Emulator::API_KEY
            . "\nCAFFESTA_BASE_URL=" . $this->emulator->url() . "\n");
        $env = $masterEnv + array_filter(getenv(), static fn (string $k): bool => !str_starts_with($k, 'CAFFESTA_'), ARRAY_FILTER_USE_KEY);
        $start = strtr(self::startLine(), $paths + ['exec php-fpm8.2 ' => 'exec ' . escapeshellarg($fpm) . ' -c '
            . escapeshellarg("$dir/php.ini") . ' -y ' . escapeshellarg("$dir/fpm.conf") . ' ']);
        $fpmCommand = [...($asNobody ? Process::asNobody() : []), 'sh', '-c', $start];
        $quiet = [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$dir/fpm.out", 'w'], 2 => ['file', "$dir/fpm.out", 'a']];
        $fpmProcess = proc_open($fpmCommand, $quiet, $pipes, $dir, $env);
        $nginxProcess = proc_open([$nginx, '-p', "$dir/", '-c', "$dir/nginx.conf", '-e', "$dir/nginx-error.log"],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$dir/nginx.out", 'w'], 2 => ['file', "$dir/nginx.out", 'a']], $pipes2);
        $logs = static fn (): string => implode("\n", array_map(static fn (string $f): string => "$f: " . @file_get_contents("$dir/$f"),
            ['fpm.out', 'fpm-error.log', 'nginx.out', 'nginx-error.log']));
        try {
            $deadline = microtime(true) + 15;
            while (!file_exists("$dir/fpm.sock") && proc_get_status($fpmProcess)['running'] && microtime(true) < $deadline) {
                usleep(50_000);
            }
            $this->assertFileExists("$dir/fpm.sock", "php-fpm did not start:\n" . $logs());
            // As the user's `curl http://localhost/shop.php`: the host the site names.
            $get = static function (string $path) use ($port, $deadline) {
                $context = stream_context_create(['http' => ['timeout' => 10, 'ignore_errors' => true,
                    'header' => "Host: localhost\r\n"]]);
                $body = false;
                while ($body === false && microtime(true) < $deadline) {
                    $body = @file_get_contents("http://127.0.0.1:$port$path", false, $context);
                    if ($body === false) {
                        usleep(100_000);
                    }
                }
                return $body;
            };
            if ($visit !== null) {
                return $visit($get);
            }
            $shop = $get('/shop.php');
            $this->assertNotFalse($shop, "no answer from nginx:\n" . $logs());
            $body = $get('/check.php');
            $answer = json_decode((string) $body, true);
            $this->assertIsArray($answer, "not the check's JSON: $body\n" . $logs());
            $binding = $asNobody ? "$dir/libcaffesta/bindings/php" : "$dir/shop/vendor/caffesta/caffesta";
            $this->assertSame($binding, $answer['binding'] ?? null, 'the preloaded binding is not the recipe\'s');
            unset($answer['binding']);
            return ['shop' => $shop] + $answer;
        } finally {
            foreach ([$nginxProcess, $fpmProcess] as $process) {
                proc_terminate($process, 15);
                proc_close($process);
            }
            Process::run(['rm', '-rf', $dir]);
        }
    }

    private static function freePort(): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $name = stream_socket_get_name($socket, false);
        fclose($socket);
        return (int) substr((string) $name, strrpos((string) $name, ':') + 1);
    }

    /** What the test checks beside the README's script, which it runs first (its $client, its output). */
    private const CHECK = <<<'PHP'
        <?php
        $out = ['sapi' => PHP_SAPI, 'preloaded' => class_exists(Caffesta\Client::class, false),
            'key_from_env' => getenv('CAFFESTA_API_KEY') !== false, 'account' => getenv('CAFFESTA_ACCOUNT')];
        try {
            ob_start();
            try {
                require __DIR__ . '/shop.php';
            } finally {
                ob_end_clean();
            }
            $out['base_url'] = $client->baseUrl();
            $out['upsert'] = $client->upsertProduct(['ref_code' => 'fpm/' . getmypid(), 'name' => 'Из php-fpm',
                'caf_tax_id' => 1, 'category_ref_code' => 'c', 'workspace_ref_code' => 'w'])['action'];
            $out['mode'] = Caffesta\Library::mode();
            $out['reused'] = $client->isReused();
            $out['pid'] = getmypid();
            $out['binding'] = dirname((new ReflectionClass(Caffesta\Client::class))->getFileName(), 2);
        } catch (Throwable $e) {
            $out['error'] = get_class($e) . ': ' . $e->getMessage();
        }
        try {
            FFI::cdef('int abs(int);');     // not preloaded code: ffi.enable=preload refuses it
            $out['ffi_outside_preload'] = 'allowed';
        } catch (FFI\Exception $e) {
            $out['ffi_outside_preload'] = 'refused';
        }
        header('Content-Type: application/json');
        echo json_encode($out);
        PHP;

    /** A request that sets what must not outlive it, then dies of a fatal error. */
    private const FATAL = <<<'PHP'
        <?php
        Caffesta\Client::setPersistentLimit(1);
        $logged = 0;
        $client = new Caffesta\Client('fatal', getenv('CAFFESTA_API_KEY'), ['persistent' => true,
            'base_url' => getenv('CAFFESTA_BASE_URL'), 'max_retries' => 0,
            'logger' => function () use (&$logged) { $logged++; }]);
        $client->authTest();
        echo "logged: $logged pid: ", getmypid(), "\n";
        flush();
        ini_set('memory_limit', '16M');
        $text = str_repeat('x', 32 << 20);   // a fatal error (memory): PHP runs no destructor after it
        echo "after the fatal error\n";
        PHP;

    /** A call with its own timeout of 200 ms. */
    private const TIMEOUT = <<<'PHP'
        <?php
        $out = ['pid' => getmypid(), 'error' => null];
        try {
            $client = new Caffesta\Client('after', getenv('CAFFESTA_API_KEY'), ['persistent' => true,
                'base_url' => getenv('CAFFESTA_BASE_URL')]);
            $client->authTest(['timeout_ms' => 200]);
        } catch (Throwable $e) {
            $out['error'] = get_class($e);
        }
        header('Content-Type: application/json');
        echo json_encode($out);
        PHP;

    /** A request after it: its own client, no logger, the default retries. */
    private const AFTER = <<<'PHP'
        <?php
        $out = ['pid' => getmypid(), 'reused' => null, 'logged' => 0, 'error' => null];
        try {
            $client = new Caffesta\Client('after', getenv('CAFFESTA_API_KEY'), ['persistent' => true,
                'base_url' => getenv('CAFFESTA_BASE_URL')]);
            $out['reused'] = $client->isReused();
            $client->authTest();
        } catch (Throwable $e) {
            $out['error'] = get_class($e) . ': ' . $e->getMessage();
        }
        header('Content-Type: application/json');
        echo json_encode($out);
        PHP;
}
