<?php

declare(strict_types=1);

// Prints libcaffesta's header in the form PHP's FFI preloading reads: FFI_SCOPE "caffesta",
// FFI_LIB, then the declarations cut from include/caffesta.h (or CAFFESTA_HEADER).
//   php bin/ffi-header.php > caffesta.ffi.h                 the shipped copy (FFI_LIB "libcaffesta.so.1")
//   php bin/ffi-header.php /opt/lib/libcaffesta.so.1 > /etc/php/caffesta-ffi.h   for ffi.preload

require dirname(__DIR__) . '/autoload.php';

use Caffesta\Library;

try {
    echo Library::preloadHeader($argv[1] ?? Library::SONAME, Library::loadDeclarations());
} catch (Caffesta\Exception\LoadException $e) {
    fwrite(STDERR, $e->getMessage() . "\n");
    exit(1);
}
