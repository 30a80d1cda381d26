<?php

declare(strict_types=1);

// Prints libcaffesta's header in the form PHP's FFI preloading reads: FFI_SCOPE "caffesta",
// FFI_LIB, then the declarations cut from include/caffesta.h (or CAFFESTA_HEADER). See USAGE.
// A path is written absolute (symbolic links kept), and refused unless it is a readable file that
// loads as libcaffesta: ffi.preload loads FFI_LIB when the php-fpm master starts, and a library
// it cannot load stops the master ("Unable to start FFI module").

require dirname(__DIR__) . '/autoload.php';

use Caffesta\Exception\LoadException;
use Caffesta\Library;

const USAGE = <<<'TEXT'
    usage: php ffi-header.php LIBRARY > caffesta-ffi.h
           php ffi-header.php > caffesta.ffi.h

    Writes the header that php.ini's ffi.preload reads (bindings/php/README.md, php-fpm):
      LIBRARY   the path of the installed libcaffesta.so.1, for instance
                /usr/lib/x86_64-linux-gnu/libcaffesta.so.1 (the .deb) or
                /usr/local/lib/libcaffesta.so.1 (make install); it must load here, as the
                php-fpm master will load it at start-up
      (none)    FFI_LIB "libcaffesta.so.1", found by the system loader: the binding's own copy,
                bindings/php/caffesta.ffi.h
    The declarations come from CAFFESTA_HEADER when set, else the header beside this binding.

    TEXT;

/** Refuses the command line: the reason and the usage on stderr. */
function refuse(string $reason, int $code): never
{
    fwrite(STDERR, "ffi-header: $reason\n\n" . USAGE);
    exit($code);
}

$args = array_slice($argv, 1);
if (in_array($args[0] ?? '', ['-h', '--help'], true)) {
    echo USAGE;
    exit(0);
}
if (count($args) > 1) {
    refuse('one LIBRARY path at most, got ' . count($args) . ' arguments', 2);
}
if (isset($args[0]) && str_starts_with($args[0], '-')) {
    refuse("unknown option $args[0]", 2);
}

try {
    $declarations = Library::loadDeclarations();
    $library = Library::SONAME;
    if (isset($args[0])) {
        $path = $args[0];
        if (!is_file($path) || !is_readable($path)) {
            $why = str_contains($path, '/') ? Library::whyNotLoadable($path) : 'no such file';
            refuse("$path: $why; give the path of the installed libcaffesta.so.1", 1);
        }
        // Loaded now as the master will load it: a file that does not load, or is another library,
        // is refused here rather than stopping php-fpm.
        try {
            \FFI::cdef($declarations, $path)->caffesta_version();
        } catch (\FFI\Exception $e) {
            $why = str_starts_with($e->getMessage(), 'Failed loading') ? Library::whyNotLoadable($path)
                : 'not libcaffesta, or another version than the header\'s';
            refuse("$path: $why ({$e->getMessage()})", 1);
        }
        // Absolute, but through its symbolic links: libcaffesta.so.1 keeps naming the current version.
        $library = str_starts_with($path, '/') ? $path : getcwd() . '/' . $path;
    }
    echo Library::preloadHeader($library, $declarations);
} catch (LoadException $e) {
    fwrite(STDERR, "ffi-header: {$e->getMessage()}\n");
    exit(1);
}
