<?php

declare(strict_types=1);

// PHPUnit bootstrap: the package's autoloader plus Caffesta\Tests\ → tests/. The emulator is
// started on first use (Support\Emulator) and stopped when the run ends.

require dirname(__DIR__) . '/autoload.php';

spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'Caffesta\\Tests\\')) {
        $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen('Caffesta\\Tests\\'))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
