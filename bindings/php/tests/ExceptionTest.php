<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\Exception\CaffestaException;
use Caffesta\Exception\InvalidArgumentException;
use Caffesta\Exception\LoadException;
use Caffesta\Exception\StatusException;
use Caffesta\Tests\Support\Process;
use PHPUnit\Framework\TestCase;

/**
 * The exceptions as PHP code catches them: one catch-all (CaffestaException) for every failure, a
 * library that will not load included; bad arguments are also PHP's own \InvalidArgumentException;
 * every class is in the README's table.
 */
final class ExceptionTest extends TestCase
{
    private const DIR = __DIR__ . '/../src/Exception';

    /** @return list<class-string> every exception class of the binding (not the interface or trait) */
    private static function classes(): array
    {
        $classes = [];
        foreach (glob(self::DIR . '/*.php') as $file) {
            $class = 'Caffesta\\Exception\\' . basename($file, '.php');
            if (class_exists($class)) {
                $classes[] = $class;
            }
        }
        sort($classes);
        return $classes;
    }

    public function testEveryClassIsACaffestaExceptionAndAnSplException(): void
    {
        $this->assertGreaterThanOrEqual(18, count(self::classes()));
        foreach (self::classes() as $class) {
            $this->assertTrue(is_subclass_of($class, CaffestaException::class), $class);
            $spl = $class === InvalidArgumentException::class ? \InvalidArgumentException::class : \RuntimeException::class;
            $this->assertTrue(is_subclass_of($class, $spl), "$class is not a $spl");
        }
        foreach (StatusException::statuses() as [$name, $class]) {
            $this->assertContains($class, self::classes(), $name);
        }
    }

    public function testBadInputIsCaughtAsInvalidArgumentExceptionOfPhpAndAsCaffestaException(): void
    {
        $caught = [];
        foreach ([\InvalidArgumentException::class, CaffestaException::class] as $catch) {
            try {
                (new Client('demo', '0123456789abcdef0123456789abcdef'))->getStorageStock(0);
            } catch (\Throwable $e) {
                $this->assertInstanceOf($catch, $e);
                $caught[] = [get_class($e), $e->getStatus(), $e->getCode(), $e->getHttpStatus()];
            }
        }
        $this->assertSame(array_fill(0, 2, [InvalidArgumentException::class, 'CAFFESTA_ERR_INVALID_ARGUMENT', 1, 0]), $caught);
    }

    /** A cron's catch-all around the whole job catches a library that would not load (no fatal error). */
    public function testACatchAllCatchesALibraryThatWillNotLoad(): void
    {
        $script = 'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . ';
            try {
                $client = new Caffesta\Client("mycafe", "0123456789abcdef0123456789abcdef");
                $client->authTest();
            } catch (Caffesta\Exception\CaffestaException $e) {
                echo json_encode([get_class($e), $e->getStatus(), $e->getCode(), $e->getHttpStatus(),
                    $e instanceof RuntimeException, $e->getMessage()]);
            }';
        [$code, $out, $err] = Process::run([PHP_BINARY, '-r', $script], ['CAFFESTA_LIBRARY' => '/nonexistent/libcaffesta.so.1']);
        $this->assertSame(0, $code, $err);
        [$class, $status, $number, $http, $runtime, $message] = json_decode($out, true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame([LoadException::class, 'CAFFESTA_LOAD_FAILED', 0, 0, true], [$class, $status, $number, $http, $runtime]);
        $this->assertStringContainsString('CAFFESTA_LIBRARY=/nonexistent/libcaffesta.so.1: no such file', $message);
    }

    /** A shop's own tests throw what a client would, with the same constructor. */
    public function testAnExceptionCanBeMadeAsAClientWouldThrowIt(): void
    {
        $e = StatusException::fromStatus(15, 'CONNECT tunnel failed, response 407', 407);
        $this->assertSame(['Caffesta\Exception\ProxyException', 'CAFFESTA_ERR_PROXY', 15, 407],
            [get_class($e), $e->getStatus(), $e->getCode(), $e->getHttpStatus()]);
        $made = new InvalidArgumentException('price must be a number', 1, 'CAFFESTA_ERR_INVALID_ARGUMENT');
        $this->assertSame('CAFFESTA_ERR_INVALID_ARGUMENT', $made->getStatus());
    }

    public function testTheReadmeTableNamesEveryClass(): void
    {
        $readme = (string) file_get_contents(dirname(__DIR__) . '/README.md');
        $this->assertMatchesRegularExpression('/^## Exceptions$/m', $readme);
        $table = substr($readme, (int) strpos($readme, "\n## Exceptions\n"));
        $table = substr($table, 0, strpos($table, "\n## ", 5) ?: strlen($table));
        foreach (self::classes() as $class) {
            $short = substr($class, strlen('Caffesta\\Exception\\'));
            $this->assertMatchesRegularExpression('/^\|[^\n]*`' . $short . '`/m', $table, "$short is not in the README's table");
        }
    }
}
