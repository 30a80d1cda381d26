<?php

declare(strict_types=1);

// Loads the library in a fresh process (the environment decides how) and prints the outcome as JSON.

require dirname(__DIR__, 2) . '/autoload.php';

try {
    $version = Caffesta\Library::version();
    echo json_encode(['mode' => Caffesta\Library::mode(), 'version' => $version]);
} catch (Throwable $e) {
    echo json_encode(['error' => get_class($e), 'message' => $e->getMessage()]);
}
