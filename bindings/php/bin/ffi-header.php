<?php

declare(strict_types=1);

// Prints libcaffesta's header in the form PHP's FFI preloading reads: FFI_SCOPE "caffesta",
// FFI_LIB, then the declarations cut from include/caffesta.h (or CAFFESTA_HEADER).
//   php bin/ffi-header.php > caffesta.ffi.h      the shipped copy (FFI_LIB "libcaffesta.so.1")
//   php bin/ffi-header.php /usr/local/lib/libcaffesta.so.1 > /etc/php/8.2/fpm/caffesta-ffi.h
//                                                for ffi.preload (README.md, php-fpm)
// A path is written absolute (symbolic links kept), and refused unless it is a readable file:
// ffi.preload loads FFI_LIB when the php-fpm master starts, and a library it cannot load stops
// the master ("Unable to start FFI module").

require dirname(__DIR__) . '/autoload.php';

use Caffesta\Library;

try {
    $library = $argv[1] ?? Library::SONAME;
    if (str_contains($library, '/')) {
        if (!is_file($library) || !is_readable($library)) {
            fwrite(STDERR, "ffi-header: $library: " . Library::whyNotLoadable($library)
                . "; give the path of the installed libcaffesta.so.1\n");
            exit(1);
        }
        // Absolute, but through its symbolic links: libcaffesta.so.1 keeps naming the current version.
        $library = str_starts_with($library, '/') ? $library : getcwd() . '/' . $library;
    }
    echo Library::preloadHeader($library, Library::loadDeclarations());
} catch (Caffesta\Exception\LoadException $e) {
    fwrite(STDERR, $e->getMessage() . "\n");
    exit(1);
}
