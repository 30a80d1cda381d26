<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Exception\LoadException;
use Caffesta\Exception\StatusException;
use Caffesta\Library;
use Caffesta\Tests\Support\Process;
use PHPUnit\Framework\TestCase;

/** The declarations PHP's FFI reads, and how the library and the header are found. */
final class HeaderTest extends TestCase
{
    private static function repoHeader(): string
    {
        $path = dirname(__DIR__, 3) . '/include/caffesta.h';
        self::assertFileExists($path);
        return (string) file_get_contents($path);
    }

    /** Runs tests/scripts/load.php in a fresh PHP with the environment changed as given. */
    private static function load(array $env): array
    {
        [$code, $out, $err] = Process::run([PHP_BINARY, __DIR__ . '/scripts/load.php'], $env);
        self::assertSame(0, $code, $err);
        return json_decode($out, true, 512, JSON_THROW_ON_ERROR);
    }

    public function testThePackagedCopyIsTheHeadersDeclarationsInPreloadForm(): void
    {
        $declarations = Library::declarations(self::repoHeader());
        $copy = (string) file_get_contents(dirname(__DIR__) . '/caffesta.ffi.h');
        $this->assertSame($declarations, Library::declarations($copy),
            'bindings/php/caffesta.ffi.h is out of step with include/caffesta.h: run '
            . 'php bindings/php/bin/ffi-header.php > bindings/php/caffesta.ffi.h');
        $this->assertSame(Library::preloadHeader(Library::SONAME, $declarations), $copy);
        $this->assertStringStartsWith("#define FFI_SCOPE \"caffesta\"\n#define FFI_LIB \"libcaffesta.so.1\"\n", $copy);
    }

    public function testTheCutIsPlainCThatFfiParses(): void
    {
        $declarations = Library::declarations(self::repoHeader());
        $this->assertStringNotContainsString('#', $declarations);
        $this->assertStringNotContainsString('extern', $declarations);
        $this->assertStringNotContainsString('FFI declarations', $declarations);
        $ffi = \FFI::cdef($declarations, Library::libraryName()); // FFI\ParserException if not plain C
        $this->assertSame('CAFFESTA_ERR_API', $ffi->caffesta_status_name(9));
    }

    public function testEveryFunctionOfTheHeaderIsInTheCut(): void
    {
        $names = static function (string $text): array {
            preg_match_all('/\b(caffesta_[a-z0-9_]+)\s*\(/', $text, $m);
            $unique = array_unique($m[1]);
            sort($unique);
            return $unique;
        };
        $header = self::repoHeader();
        $this->assertSame($names($header), $names(Library::declarations($header)));
        $this->assertContains('caffesta_request', $names($header));
    }

    public function testMissingMarkersAreALoadError(): void
    {
        $this->expectException(LoadException::class);
        $this->expectExceptionMessage('markers');
        Library::declarations("int caffesta_version(void);\n");
    }

    public function testFfiLibCannotTakeWhatPhpCannotParse(): void
    {
        foreach (['/opt/my libs/libcaffesta.so.1', '/opt/"x"/lib.so', "/opt/x\n/lib.so", ''] as $bad) {
            try {
                Library::preloadHeader($bad, 'int x;');
                $this->fail('accepted ' . json_encode($bad));
            } catch (LoadException $e) {
                $this->assertStringContainsString('FFI_LIB', $e->getMessage());
            }
        }
    }

    public function testTheBindingsStatusTableMatchesTheLibrary(): void
    {
        $ffi = Library::ffi();
        foreach (StatusException::statuses() as $code => [$name, $class]) {
            $this->assertSame($ffi->caffesta_status_name($code), $name);
            $e = StatusException::fromStatus($code, 'm', 200);
            $this->assertInstanceOf($class, $e);
            $this->assertSame([$name, $code, 200, 'm'], [$e->getStatus(), $e->getCode(), $e->getHttpStatus(), $e->getMessage()]);
        }
        $this->assertSame('CAFFESTA_UNKNOWN', $ffi->caffesta_status_name(99));
        $unknown = StatusException::fromStatus(99, '');
        $this->assertSame(StatusException::class, get_class($unknown));
        $this->assertSame(['CAFFESTA_UNKNOWN', 'CAFFESTA_UNKNOWN', 99], [$unknown->getStatus(), $unknown->getMessage(), $unknown->getCode()]);
    }

    public function testTheCliLoadsWithCdefAndReportsTheVersion(): void
    {
        Library::ffi();
        $this->assertSame('cdef', Library::mode());
        preg_match('/#define CAFFESTA_VERSION_STRING "([^"]+)"/', self::repoHeader(), $m);
        $this->assertSame($m[1], Library::version());
    }

    public function testAMissingLibraryNamesThePathTried(): void
    {
        $result = self::load(['CAFFESTA_LIBRARY' => '/nonexistent/libcaffesta.so.1']);
        $this->assertSame('Caffesta\Exception\LoadException', $result['error']);
        $this->assertStringContainsString('CAFFESTA_LIBRARY=/nonexistent/libcaffesta.so.1: no such file', $result['message']);
    }

    public function testAFileThatIsNoLibrarySaysTheLoaderRefusedIt(): void
    {
        $result = self::load(['CAFFESTA_LIBRARY' => __FILE__]);
        $this->assertSame('Caffesta\Exception\LoadException', $result['error']);
        $this->assertStringContainsString('the dynamic loader refused it', $result['message']);
    }

    /** The same words as the Python binding: a directory is "a directory", not another architecture. */
    public function testADirectoryIsCalledADirectory(): void
    {
        $dir = sys_get_temp_dir();
        $result = self::load(['CAFFESTA_LIBRARY' => $dir]);
        $this->assertSame('Caffesta\Exception\LoadException', $result['error']);
        $this->assertStringContainsString("CAFFESTA_LIBRARY=$dir: a directory", $result['message']);
        $this->assertStringNotContainsString('architecture', $result['message']);
    }

    public function testWithoutCaffestaLibraryTheSystemLoaderIsTried(): void
    {
        $result = self::load(['CAFFESTA_LIBRARY' => null, 'LD_LIBRARY_PATH' => null]);
        if (!isset($result['error'])) {
            $this->assertSame('cdef', $result['mode']); // installed system-wide
            return;
        }
        $this->assertStringContainsString('tried libcaffesta.so.1 through the system loader', $result['message']);
        $this->assertStringContainsString('Set CAFFESTA_LIBRARY', $result['message']);
    }

    public function testCaffestaHeaderIsUsedAndNotSilentlyReplaced(): void
    {
        $result = self::load(['CAFFESTA_HEADER' => '/nonexistent/caffesta.h']);
        $this->assertSame('Caffesta\Exception\LoadException', $result['error']);
        $this->assertStringContainsString('/nonexistent/caffesta.h (not found)', $result['message']);

        $result = self::load(['CAFFESTA_HEADER' => dirname(__DIR__) . '/caffesta.ffi.h']);
        $this->assertSame(['mode' => 'cdef', 'version' => Library::version()], $result);
    }
}
