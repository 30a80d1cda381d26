<?php

declare(strict_types=1);

namespace Caffesta;

use Caffesta\Exception\LoadException;

/**
 * Loads libcaffesta through FFI, either way PHP offers:
 *   - preloaded: bindings/php/preload.php (opcache.preload) declared the scope "caffesta" once per
 *     server, and every request takes it with FFI::scope() — the php-fpm way, where
 *     ffi.enable=preload (the default) allows FFI only in preloaded code;
 *   - otherwise FFI::cdef() with the declarations cut from the header, once per process — the CLI way.
 *
 * The library is CAFFESTA_LIBRARY (a path) when that is set, else libcaffesta.so.1 through the
 * system loader. The header is CAFFESTA_HEADER when set, else include/caffesta.h of the source tree
 * this package sits in, else the copy shipped in the package (caffesta.ffi.h). A variable that is
 * set is never silently replaced by another copy: when it does not work, loading fails and says so.
 */
final class Library
{
    public const SCOPE = 'caffesta';
    public const SONAME = 'libcaffesta.so.1';
    public const BEGIN_MARKER = '/* ---- FFI declarations begin';
    public const END_MARKER = '/* ---- FFI declarations end ---- */';

    private static ?\FFI $ffi = null;
    private static string $mode = '';

    /** The loaded library: the preloaded scope when there is one, else a cdef made once. */
    public static function ffi(): \FFI
    {
        return self::$ffi ??= self::load();
    }

    /** How ffi() loaded the library: "scope" (preloaded) or "cdef"; "" before the first load. */
    public static function mode(): string
    {
        return self::$mode;
    }

    /**
     * Whether the library stays loaded in this process after the request: preloaded (FFI::scope,
     * the php-fpm way), or the CLI, whose one request lasts as long as the process. A library
     * declared with FFI::cdef() in a php-fpm request is unloaded with the request's FFI object,
     * so nothing of it can serve the next request: persistent clients need this.
     */
    public static function staysLoaded(): bool
    {
        self::ffi();
        return self::$mode === 'scope' || in_array(PHP_SAPI, ['cli', 'phpdbg'], true);
    }

    /** The library's version at run time, "1.1.0". */
    public static function version(): string
    {
        return self::ffi()->caffesta_version();
    }

    /**
     * The declarations part of a header's text: what lies between the line of BEGIN_MARKER and
     * END_MARKER. Both caffesta.h and the packaged caffesta.ffi.h carry the markers.
     */
    public static function declarations(string $header): string
    {
        $begin = strpos($header, self::BEGIN_MARKER);
        $end = strpos($header, self::END_MARKER);
        if ($begin === false || $end === false || $end < $begin) {
            throw new LoadException('the header has no "' . self::BEGIN_MARKER . ' ... ' . self::END_MARKER
                . '" markers around its FFI declarations');
        }
        $lineEnd = strpos($header, "\n", $begin);
        $start = $lineEnd === false ? $end : min($lineEnd + 1, $end);
        return substr($header, $start, $end - $start);
    }

    /**
     * The header files tried, in order: CAFFESTA_HEADER alone when it is set (explicit wins), else the
     * source tree's include/caffesta.h, then the packaged caffesta.ffi.h.
     * @return list<string>
     */
    public static function headerCandidates(): array
    {
        $env = getenv('CAFFESTA_HEADER');
        if (is_string($env) && $env !== '') {
            return [$env];
        }
        return [dirname(__DIR__, 3) . '/include/caffesta.h', dirname(__DIR__) . '/caffesta.ffi.h'];
    }

    /**
     * The library as FFI should open it: CAFFESTA_LIBRARY when set (explicit wins: it is never
     * silently replaced by another copy), else the soname for the system loader.
     */
    public static function libraryName(): string
    {
        $env = getenv('CAFFESTA_LIBRARY');
        return is_string($env) && $env !== '' ? $env : self::SONAME;
    }

    /**
     * What FFI_LIB names at preload time: CAFFESTA_LIBRARY as an absolute path (preloading outlives
     * the working directory), or the soname for the system loader.
     */
    public static function preloadLibrary(): string
    {
        $library = self::libraryName();
        if (!str_contains($library, '/')) {
            return $library;
        }
        if (!is_file($library)) {
            throw new LoadException(self::libraryFailure($library));
        }
        return (string) realpath($library);
    }

    /** The declarations of the first header candidate that exists. */
    public static function loadDeclarations(): string
    {
        $tried = [];
        foreach (self::headerCandidates() as $path) {
            if (!is_file($path)) {
                $tried[] = "$path (not found)";
                continue;
            }
            $text = @file_get_contents($path);
            if ($text === false) {
                $tried[] = "$path (not readable)";
                continue;
            }
            try {
                return self::declarations($text);
            } catch (LoadException $e) {
                $tried[] = "$path ({$e->getMessage()})";
            }
        }
        throw new LoadException('libcaffesta: no usable header; tried ' . implode(', ', $tried)
            . '. Set CAFFESTA_HEADER to include/caffesta.h of the installed library.');
    }

    /**
     * The header form that ffi.preload and FFI::load() read: FFI_SCOPE and FFI_LIB first (PHP wants
     * them at the very top), then the declarations between the markers, so that declarations() of
     * it gives them back. caffesta.ffi.h is this form with FFI_LIB "libcaffesta.so.1".
     */
    public static function preloadHeader(string $library, string $declarations): string
    {
        if ($library === '' || preg_match('/["\\\\\x00-\x20\x7f]/', $library) === 1) {
            throw new LoadException('libcaffesta: the library path ' . json_encode($library)
                . ' cannot be written into FFI_LIB, which takes no spaces, quotes, backslashes or control characters');
        }
        return '#define FFI_SCOPE "' . self::SCOPE . "\"\n"
            . '#define FFI_LIB "' . $library . "\"\n"
            . "/* libcaffesta's FFI declarations, cut from include/caffesta.h by bindings/php/bin/ffi-header.php.\n"
            . " * For php.ini: ffi.preload=<this file>. For a library elsewhere than the system loader finds it:\n"
            . " *   php bindings/php/bin/ffi-header.php /path/to/libcaffesta.so.1 > caffesta-ffi.h */\n"
            . self::BEGIN_MARKER . " (do not edit: generated) ---- */\n"
            . $declarations
            . self::END_MARKER . "\n";
    }

    /**
     * Declares the scope "caffesta" for every later request: call from opcache.preload
     * (bindings/php/preload.php does). Nothing to do when ffi.preload declared it already;
     * otherwise the library is resolved now, once, for the server's life.
     */
    public static function preload(): void
    {
        self::requireFfi();
        try {
            \FFI::scope(self::SCOPE);
            return;
        } catch (\FFI\Exception) {
            // Not declared by ffi.preload: declare it here.
        }
        $library = self::preloadLibrary();
        $header = self::preloadHeader($library, self::loadDeclarations());
        $file = tempnam(sys_get_temp_dir(), 'caffesta-ffi-');
        if ($file === false || file_put_contents($file, $header) !== strlen($header)) {
            throw new LoadException('libcaffesta: cannot write the preload header to ' . sys_get_temp_dir());
        }
        try {
            \FFI::load($file);
        } catch (\FFI\Exception $e) {
            $message = $e->getMessage();
            if (str_contains($message, 'preload_user')) {
                throw new LoadException("libcaffesta: $message: PHP preloads as opcache.preload_user in a child "
                    . 'process here (the master runs as root), where FFI::load() cannot declare a scope. Write a '
                    . 'header naming the library: php ' . dirname(__DIR__) . '/bin/ffi-header.php ' . $library
                    . ' > /etc/php/caffesta-ffi.h, and add ffi.preload=/etc/php/caffesta-ffi.h to php.ini '
                    . '(bindings/php/README.md, php-fpm)', 0, $e);
            }
            throw new LoadException(self::libraryFailure($library) . " ($message)", 0, $e);
        } finally {
            @unlink($file);
        }
    }

    private static function load(): \FFI
    {
        self::requireFfi();
        try {
            $ffi = \FFI::scope(self::SCOPE);
            self::$mode = 'scope';
            return $ffi;
        } catch (\FFI\Exception $scopeError) {
            // Not preloaded: declare it here.
        }
        $library = self::libraryName();
        $declarations = self::loadDeclarations();
        try {
            $ffi = \FFI::cdef($declarations, $library);
        } catch (\FFI\Exception $e) {
            $message = $e->getMessage();
            if (str_contains($message, 'restricted')) {
                throw new LoadException("libcaffesta: $message: FFI is allowed in preloaded code only here; load "
                    . 'the binding with opcache.preload=' . dirname(__DIR__) . '/preload.php (see its README.md)', 0, $e);
            }
            if (!str_starts_with($message, 'Failed loading')) {
                throw new LoadException("libcaffesta: $library does not match the header's declarations "
                    . "($message); a header of another version? See CAFFESTA_HEADER", 0, $e);
            }
            throw new LoadException(self::libraryFailure($library) . " ($message; FFI::scope('"
                . self::SCOPE . "'): {$scopeError->getMessage()})", 0, $e);
        }
        self::$mode = 'cdef';
        return $ffi;
    }

    private static function requireFfi(): void
    {
        if (!extension_loaded('ffi')) {
            throw new LoadException('libcaffesta needs the PHP FFI extension (ext-ffi), which is not loaded');
        }
        if (!in_array(strtolower((string) ini_get('ffi.enable')), ['1', 'on', 'true', 'yes', 'preload'], true)) {
            throw new LoadException('libcaffesta: FFI is disabled (ffi.enable=' . ini_get('ffi.enable')
                . '); use ffi.enable=preload with opcache.preload, see bindings/php/README.md');
        }
    }

    /**
     * Why a library path cannot be loaded, in the words the Python binding uses too: "no such file",
     * "a directory, not the library file", "a broken symbolic link", "not readable", else why the
     * dynamic loader refused it as far as PHP can tell (FFI does not pass dlerror() on).
     */
    public static function whyNotLoadable(string $library): string
    {
        if (!str_contains($library, '/')) {
            return 'not found by the system loader';
        }
        if (is_dir($library)) {
            return 'a directory, not the library file';
        }
        if (!file_exists($library)) {
            return is_link($library) ? 'a broken symbolic link' : 'no such file';
        }
        if (!is_readable($library)) {
            return 'not readable';
        }
        $head = (string) @file_get_contents($library, false, null, 0, 4);
        if ($head !== "\x7fELF") {
            return 'the dynamic loader refused it: not an ELF shared object';
        }
        return 'the dynamic loader refused it (another architecture, or a missing dependency such as '
            . 'libcurl or jansson: check with ldd)';
    }

    /** Says which library was tried, why it failed as far as PHP can tell, and what to do. */
    private static function libraryFailure(string $library): string
    {
        $env = getenv('CAFFESTA_LIBRARY');
        if (is_string($env) && $env !== '') {
            return "libcaffesta could not be loaded: tried CAFFESTA_LIBRARY=$library: " . self::whyNotLoadable($library);
        }
        return 'libcaffesta could not be loaded: tried ' . self::SONAME . ' through the system loader '
            . '(CAFFESTA_LIBRARY is not set): not in its paths (ldconfig -p, LD_LIBRARY_PATH), or a dependency '
            . 'is missing. Set CAFFESTA_LIBRARY to the path of libcaffesta.so.1, or install the library';
    }
}
