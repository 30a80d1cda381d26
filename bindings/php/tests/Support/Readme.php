<?php

declare(strict_types=1);

namespace Caffesta\Tests\Support;

/** The blocks of the binding's README that tests run as written. */
final class Readme
{
    public const FILE = __DIR__ . '/../../README.md';

    /** The fenced block after "<!-- $kind: $name -->" in $file. */
    public static function block(string $kind, string $name, string $file = self::FILE): string
    {
        $text = (string) file_get_contents($file);
        $pattern = '/<!-- ' . preg_quote("$kind: $name", '/') . " -->\n```[a-z]*\n(.*?)```/s";
        if (preg_match($pattern, $text, $match) !== 1) {
            throw new \RuntimeException("no $kind: $name block in $file");
        }
        return $match[1];
    }
}
