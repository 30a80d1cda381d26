<?php

declare(strict_types=1);

// opcache.preload script for php-fpm (see README.md):
//   opcache.preload=/path/to/bindings/php/preload.php
//   opcache.preload_user=www-data
//   ffi.enable=preload
// It declares the FFI scope "caffesta" once per server, from the FFI declarations of the header and
// FFI_LIB = $CAFFESTA_LIBRARY (resolved now) or libcaffesta.so.1, and preloads every class of the
// binding: with ffi.enable=preload only preloaded code may use FFI. Requests then get the library
// through FFI::scope('caffesta'); new Client(...) does that by itself.

require __DIR__ . '/autoload.php';

\Caffesta\Library::preload();

$classes = new RecursiveIteratorIterator(new RecursiveDirectoryIterator(__DIR__ . '/src', FilesystemIterator::SKIP_DOTS));
foreach ($classes as $file) {
    if ($file->getExtension() === 'php') {
        require_once $file->getPathname();
    }
}
