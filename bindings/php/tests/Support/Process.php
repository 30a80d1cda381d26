<?php

declare(strict_types=1);

namespace Caffesta\Tests\Support;

/** Runs a command to its end. */
final class Process
{
    /**
     * @param list<string> $command
     * @param array<string, ?string> $env changes to this process's environment; null removes a variable
     * @return array{int, string, string} exit code, stdout, stderr
     */
    public static function run(array $command, array $env = [], ?string $cwd = null): array
    {
        $env = array_filter($env + getenv(), static fn (?string $value): bool => $value !== null);
        $stderr = (string) tempnam(sys_get_temp_dir(), 'caffesta-stderr-');
        try {
            $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', $stderr, 'w']],
                $pipes, $cwd, $env);
            if (!is_resource($process)) {
                throw new \RuntimeException('cannot run ' . implode(' ', $command));
            }
            $out = (string) stream_get_contents($pipes[1]);
            fclose($pipes[1]);
            return [proc_close($process), $out, (string) file_get_contents($stderr)];
        } finally {
            unlink($stderr);
        }
    }

    /** setpriv and its arguments to run a command as nobody (from root), or null without setpriv. */
    public static function asNobody(): ?array
    {
        $setpriv = trim((string) shell_exec('command -v setpriv'));
        return $setpriv === '' ? null : [$setpriv, '--reuid=65534', '--regid=65534', '--clear-groups'];
    }

    /** Whether nobody can read every path given (a checkout under a 0700 directory it cannot). */
    public static function readableByNobody(string ...$paths): bool
    {
        $prefix = self::asNobody();
        if ($prefix === null) {
            return true; // cannot tell: let the test show it
        }
        foreach ($paths as $path) {
            if (self::run([...$prefix, 'test', '-r', $path])[0] !== 0) {
                return false;
            }
        }
        return true;
    }
}
