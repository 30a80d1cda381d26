<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Library;
use Caffesta\Tests\Support\Emulator;
use Caffesta\Tests\Support\EmulatorTestCase;
use Caffesta\Tests\Support\Process;

/**
 * The php-fpm way: opcache.preload=bindings/php/preload.php with ffi.enable=preload, then the
 * library through FFI::scope('caffesta') in a script that has no autoloader of its own.
 */
final class PreloadTest extends EmulatorTestCase
{
    private const EXPECTED = ['preloaded' => true, 'mode' => 'scope', 'upsert' => 'created',
        'wrong_key' => 'CAFFESTA_ERR_UNAUTHORIZED'];

    private static function root(): string
    {
        return dirname(__DIR__, 3);
    }

    private static function isRoot(): bool
    {
        return function_exists('posix_geteuid') && posix_geteuid() === 0;
    }

    /**
     * Runs tests/scripts/preloaded.php under preloading; returns [exit code, stdout, stderr].
     * @param list<string> $prefix a command to run PHP under (setpriv ...)
     */
    private function runPreloaded(array $ini, array $prefix = []): array
    {
        $command = [...$prefix, PHP_BINARY, '-d', 'opcache.enable=1', '-d', 'opcache.enable_cli=1',
            '-d', 'ffi.enable=preload', '-d', 'opcache.preload=bindings/php/preload.php'];
        foreach ($ini as $name => $value) {
            array_push($command, '-d', "$name=$value");
        }
        array_push($command, 'bindings/php/tests/scripts/preloaded.php', $this->emulator->url(), Emulator::API_KEY);
        return Process::run($command, [], self::root());
    }

    private function assertPreloadWorked(array $result): void
    {
        [$code, $out, $err] = $result;
        $this->assertSame(0, $code, $out . $err);
        $this->assertSame(self::EXPECTED, json_decode($out, true), $out . $err);
    }

    /**
     * php-fpm whose master runs as root: PHP preloads as opcache.preload_user in a child process,
     * where FFI::load() is refused, so ffi.preload declares the scope and preload.php the classes.
     */
    public function testFfiPreloadPlusOpcachePreloadAsPhpFpmUnderRoot(): void
    {
        $header = (string) tempnam(sys_get_temp_dir(), 'caffesta-ffi-test-');
        try {
            file_put_contents($header, Library::preloadHeader(Library::preloadLibrary(), Library::loadDeclarations()));
            $user = function_exists('posix_getpwuid') ? posix_getpwuid(posix_geteuid())['name'] : 'root';
            $this->assertPreloadWorked($this->runPreloaded(['ffi.preload' => $header, 'opcache.preload_user' => $user]));
        } finally {
            unlink($header);
        }
    }

    /** A master that does not run as root: preload.php declares the scope itself (FFI::load). */
    public function testOpcachePreloadAloneAsAnOrdinaryUser(): void
    {
        $prefix = [];
        if (self::isRoot()) {
            $prefix = Process::asNobody() ?? $this->markTestSkipped('running as root without setpriv to drop to nobody');
            if (!Process::readableByNobody(self::root() . '/bindings/php/preload.php', Library::libraryName())) {
                $this->markTestSkipped('nobody cannot read this checkout or the library');
            }
        }
        $this->assertPreloadWorked($this->runPreloaded([], $prefix));
    }

    /** As root without ffi.preload the preload fails, and says which php.ini line is missing. */
    public function testUnderRootWithoutFfiPreloadTheErrorNamesTheFix(): void
    {
        if (!self::isRoot()) {
            $this->markTestSkipped('the preload runs in a child process only when PHP starts as root');
        }
        [$code, $out, $err] = $this->runPreloaded(['opcache.preload_user' => 'root']);
        $this->assertNotSame(0, $code);
        $this->assertStringContainsString('php ' . self::root() . '/bindings/php/bin/ffi-header.php ' . Library::preloadLibrary(), $out . $err);
        $this->assertStringContainsString('ffi.preload=', $out . $err);
    }
}
