<?php

declare(strict_types=1);

// A PSR-4 autoloader for Caffesta\ → src/, for use without Composer:
//   require '/path/to/bindings/php/autoload.php';
spl_autoload_register(static function (string $class): void {
    if (!str_starts_with($class, 'Caffesta\\')) {
        return;
    }
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen('Caffesta\\'))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
