<?php

declare(strict_types=1);

// Run by ForkTest: php fork.php BASE_URL CA_FILE TAG. A php-cli process that forks with
// pcntl_fork() after its client has a kept-alive TLS connection, as php-fpm and CLI workers do.
// Each child does one thing with the inherited client; after it, the parent makes 20 POSTs.
// Prints JSON: {"parent": id, "after": {behaviour: [ids of the parent's POSTs]}, "children": {...}}
// (nginx answers every POST with $connection, the serial number of its TCP connection).

require dirname(__DIR__, 2) . '/autoload.php';

use Caffesta\Client;

[, $url, $caFile, $tag] = $argv;
$client = new Client('fork', 'k', ['base_url' => $url, 'ca_file' => $caFile, 'max_retries' => 0]);
$post = static fn (Client $c, string $t): int => $c->request('POST', "/p?t=$t", ['n' => 1])['data']['id'];

$behaviours = [
    // the destructor at exit: the child calls, then exit() runs Client::__destruct
    'calls_then_exits' => static function () use (&$client, $post, $tag): void {
        $post($client, "$tag-child");
        exit(0);
    },
    // frees without calling: close() (what the destructor does) at once
    'frees_without_calling' => static function () use (&$client): void {
        $client->close();
        exit(0);
    },
    // unset drops the last reference: the destructor runs before exit
    'calls_then_unsets' => static function () use (&$client, $post, $tag): void {
        $post($client, "$tag-child2");
        $client = null;
        exit(0);
    },
    // exits without freeing: killed, no destructor, no shutdown function
    'exits_without_freeing' => static function (): void {
        posix_kill(getmypid(), SIGKILL);
    },
];

$result = ['parent' => $post($client, "$tag-open"), 'after' => [], 'children' => []];
foreach ($behaviours as $name => $behaviour) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        try {
            $behaviour();
        } catch (\Throwable $e) {
            fwrite(STDERR, "$name: " . $e->getMessage() . "\n");
            exit(1);
        }
        exit(0);
    }
    pcntl_waitpid($pid, $status);
    $result['children'][$name] = pcntl_wifexited($status) ? pcntl_wexitstatus($status) : -pcntl_wtermsig($status);
    $ids = [];
    for ($i = 0; $i < 20; $i++) {
        try {
            $ids[] = $post($client, "$tag-$name-$i");
        } catch (\Caffesta\Exception\CaffestaException $e) {
            $ids[] = $e->getMessage();
        }
    }
    $result['after'][$name] = $ids;
}
echo json_encode($result), "\n";
