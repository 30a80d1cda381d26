<?php

declare(strict_types=1);

/*
 * Syncs a product catalog (a JSON list of product bodies) into a Caffesta account, as a PHP web shop
 * pushing its catalog would.
 *
 *   php examples/php/sync.php --account mycafe --api-key KEY [-v] [CATALOG.json]
 *   php examples/php/sync.php --base-url http://127.0.0.1:8765 --api-key KEY   # the emulator
 *
 * The options default to $CAFFESTA_ACCOUNT, $CAFFESTA_API_KEY and $CAFFESTA_BASE_URL; the catalog
 * (also --catalog FILE) to examples/catalog.json. Each product is created, or updated when the
 * account already holds its ref_code (Client::upsertProducts: one call for the whole catalog, several
 * requests in flight); the script prints which on stdout, draws a progress bar on stderr, and exits 1
 * if any product failed. The library comes from $CAFFESTA_LIBRARY or the system loader (libcaffesta.so.1).
 * -v prints the library's request log (one line per attempt) on stderr. Ctrl-C (with the pcntl extension)
 * stops the sync after the chunk in flight; the script prints what was done and exits 130.
 */

use Caffesta\Client;
use Caffesta\Exception\AuthenticationException;
use Caffesta\Exception\CaffestaException;
use Caffesta\Exception\CancelledException;

// With Composer, vendor/autoload.php does this.
require dirname(__DIR__, 2) . '/bindings/php/autoload.php';

const USAGE = "usage: php sync.php [-v] [--base-url URL] [--account NAME] [--api-key KEY] [--catalog FILE | FILE]\n";

function fail(string $message, int $code): never
{
    fwrite(STDERR, "sync: $message\n");
    exit($code);
}

/** @return array{base_url: ?string, account: string, api_key: string, catalog: string, verbose: bool} */
function parseArguments(array $argv): array
{
    $options = getopt('hv', ['base-url:', 'account:', 'api-key:', 'catalog:', 'help', 'verbose'], $rest);
    if ($options === false || isset($options['h']) || isset($options['help'])) {
        fwrite(STDOUT, USAGE);
        exit(0);
    }
    $verbose = isset($options['v']) || isset($options['verbose']);
    unset($options['v'], $options['verbose']);
    foreach ($options as $name => $value) {
        if (is_array($value)) {
            fail("--$name is given twice\n" . USAGE, 2);
        }
    }
    $positional = array_slice($argv, $rest);
    if (count($positional) > 1 || ($positional !== [] && isset($options['catalog']))) {
        fail("one catalog only\n" . USAGE, 2);
    }
    $env = static fn (string $name): ?string => ($v = getenv($name)) === false || $v === '' ? null : $v;
    $baseUrl = $options['base-url'] ?? $env('CAFFESTA_BASE_URL');
    $account = $options['account'] ?? $env('CAFFESTA_ACCOUNT') ?? ($baseUrl !== null ? 'demo' : null);
    $apiKey = $options['api-key'] ?? $env('CAFFESTA_API_KEY');
    if ($account === null) {
        fail("give --account (or \$CAFFESTA_ACCOUNT), or --base-url\n" . USAGE, 2);
    }
    if ($apiKey === null) {
        fail("give --api-key (or \$CAFFESTA_API_KEY)\n" . USAGE, 2);
    }
    $catalog = $options['catalog'] ?? $positional[0] ?? dirname(__DIR__) . '/catalog.json';
    return ['base_url' => $baseUrl, 'account' => $account, 'api_key' => $apiKey, 'catalog' => $catalog,
        'verbose' => $verbose];
}

/** @return list<array<string, mixed>> */
function loadCatalog(string $path): array
{
    $text = @file_get_contents($path);
    if ($text === false) {
        fail("cannot read the catalog $path", 2);
    }
    try {
        $catalog = json_decode($text, true, 512, JSON_THROW_ON_ERROR);
    } catch (JsonException $e) {
        fail("$path is not JSON: {$e->getMessage()}", 2);
    }
    if (!is_array($catalog) || !array_is_list($catalog)
        || array_filter($catalog, static fn ($p) => !is_array($p) || ($p !== [] && array_is_list($p))) !== []) {
        fail("$path must hold a JSON list of product objects", 2);
    }
    return $catalog;
}

/** Whether the progress bar's line still lacks its newline (-v ends it before an event). */
$GLOBALS['barOpen'] = false;

/** A text progress bar on stderr: "[#########...........]  640/2000". */
function progressBar(int $done, int $total): void
{
    $GLOBALS['barOpen'] = $done !== $total;
    $width = 30;
    $filled = $total === 0 ? $width : intdiv($done * $width, $total);
    fprintf(STDERR, "\r[%s%s] %*d/%d", str_repeat('#', $filled), str_repeat('.', $width - $filled), strlen((string) $total),
        $done, $total);
    if ($done === $total) {
        fwrite(STDERR, "\n");
    }
}

$args = parseArguments($argv);
$catalog = loadCatalog($args['catalog']);
$counts = ['created' => 0, 'updated' => 0, 'failed' => 0, 'cancelled' => 0];
$options = $args['base_url'] === null ? [] : ['base_url' => $args['base_url']];
if ($args['verbose']) { // the library's request log, one line per attempt (a PSR-3 logger works too)
    $options['logger'] = static function (string $message, array $context): void {
        fwrite(STDERR, ($GLOBALS['barOpen'] ? "\n" : '') . "caffesta: $message\n"); // a line of its own
        $GLOBALS['barOpen'] = false;
    };
}
$interrupted = false;
try {
    $client = new Client($args['account'], $args['api_key'], $options);
    if (function_exists('pcntl_signal')) { // Ctrl-C stops the batch after the chunk in flight
        pcntl_async_signals(true);
        pcntl_signal(SIGINT, static fn () => $client->cancel());
    }
    $client->authTest();
    // One call for the whole catalog: up to 4 requests in flight, one report entry per product, in catalog
    // order. A product the API refuses fails alone; the others still go through.
    try {
        $report = $client->upsertProducts($catalog, 4, 'progressBar');
    } catch (CancelledException $e) {
        $interrupted = true;
        fwrite(STDERR, "\ninterrupted: what was done follows\n");
        $report = $e->getReport() ?? [];
    }
    $client->close();
} catch (AuthenticationException $e) {
    fail("the API key was refused: {$e->getMessage()}", 1);
} catch (CaffestaException $e) {          // every failure, a library that would not load included
    fail("{$e->getMessage()} ({$e->getStatus()})", 1);
}

foreach ($report as $i => $entry) {
    $counts[$entry['action']]++;
    if ($entry['action'] === 'cancelled') {
        continue;
    }
    if ($entry['action'] === 'failed') {
        printf("failed   %-22s %s\n", ($entry['ref_code'] ?? '') !== '' ? $entry['ref_code'] : '?', $entry['message']);
        continue;
    }
    printf("%-8s %-22s id %-6s %s\n", $entry['action'], $entry['ref_code'], $entry['id'], $catalog[$i]['name'] ?? '');
}

printf("%d products: %d created, %d updated, %d failed\n", count($catalog), $counts['created'], $counts['updated'],
    $counts['failed']);
if ($interrupted) {
    printf("interrupted: %d products not sent\n", $counts['cancelled']);
    exit(130);
}
exit($counts['failed'] === 0 ? 0 : 1);
