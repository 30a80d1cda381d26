<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\Exception\AuthenticationException;
use Caffesta\Exception\InvalidArgumentException;
use Caffesta\Library;
use Caffesta\Tests\Support\Emulator;
use Caffesta\Tests\Support\EmulatorTestCase;

/**
 * Persistent clients in one process (the CLI, where the library stays loaded as under php-fpm's
 * preloading): the connection carries over from one client to the next, nothing else does. A
 * connection is told by the emulator's log ("peer", one per connection). The php-fpm worker's
 * side is FpmTest's.
 */
final class PersistentTest extends EmulatorTestCase
{
    /** Each test its own account name: the process's registry outlives a test. */
    private function persistent(string $account, array $options = []): Client
    {
        return new Client($account, Emulator::API_KEY,
            $options + ['persistent' => true, 'base_url' => $this->emulator->url()]);
    }

    /** @return list<string> the peer of each API request, in order */
    private function peers(): array
    {
        return array_column($this->emulator->requests(), 'peer');
    }

    public function testTheNextPersistentClientTakesOverTheConnection(): void
    {
        $this->assertTrue(Library::staysLoaded());
        $first = $this->persistent('takeover');
        $this->assertFalse($first->isReused());
        $first->authTest();
        unset($first);
        foreach ([1, 2] as $request) {
            $next = $this->persistent('takeover', ['timeout_ms' => 5_000]);   // other options: same connections
            $this->assertTrue($next->isReused());
            $next->authTest();
            $next->close();
        }
        $plain = $this->client();
        $this->assertFalse($plain->isReused());
        $plain->authTest();
        $peers = $this->peers();
        $this->assertCount(4, $peers);
        $this->assertCount(1, array_unique(array_slice($peers, 0, 3)));
        $this->assertNotSame($peers[0], $peers[3]);
    }

    public function testNothingButTheConnectionCarriesOver(): void
    {
        $logged = 0;
        $first = $this->persistent('carry', ['max_retries' => 0, 'logger' => function () use (&$logged): void {
            $logged++;
        }]);
        $first->authTest();
        $this->assertSame(1, $logged);
        $first->cancel();
        $first->close();

        // No logger, the default retries (a 503 is retried), not cancelled.
        $this->emulator->fault(['kind' => 'status', 'status' => 503, 'path_prefix' => '/a/v1.0/storage/test']);
        $next = $this->persistent('carry');
        $this->assertTrue($next->isReused());
        $next->authTest();
        $this->assertSame(1, $logged);
        $this->assertCount(3, $this->apiRequests());
    }

    public function testAKeyOrServerChangeUsesOtherConnections(): void
    {
        $first = $this->persistent('change');
        $first->authTest();
        $otherKey = new Client('change', 'rotated0123456789abcdef0123456789', ['persistent' => true,
            'base_url' => $this->emulator->url()]);
        $this->assertFalse($otherKey->isReused());
        try {
            $otherKey->authTest();
            $this->fail('the emulator took another key');
        } catch (AuthenticationException) {
        }
        $otherServer = $this->persistent('change', ['base_url' => $this->emulator->url() . '/']);
        $this->assertFalse($otherServer->isReused());
        $otherServer->authTest();
        $viaProxy = $this->persistent('change', ['proxy' => 'direct']);
        $this->assertFalse($viaProxy->isReused());
        $viaProxy->authTest();
        $this->assertCount(4, array_unique($this->peers()));
        $first->close();
        $this->assertTrue($this->persistent('change')->isReused());
    }

    public function testTheLimitCanKeepNone(): void
    {
        try {
            Client::setPersistentLimit(0);
            $this->persistent('none')->authTest();
            $again = $this->persistent('none');
            $this->assertFalse($again->isReused());
            $again->authTest();
            $this->assertCount(2, array_unique($this->peers()));
        } finally {
            Client::setPersistentLimit(8);
        }
        foreach ([-1, 1025] as $limit) {
            try {
                Client::setPersistentLimit($limit);
                $this->fail("limit $limit taken");
            } catch (InvalidArgumentException $e) {
                $this->assertStringContainsString('0 to 1024', $e->getMessage());
            }
        }
    }

    public function testTheOptionIsABool(): void
    {
        foreach ([1, 'yes'] as $value) {
            try {
                $this->persistent('bool', ['persistent' => $value]);
                $this->fail('persistent ' . var_export($value, true) . ' taken');
            } catch (InvalidArgumentException $e) {
                $this->assertStringContainsString('option persistent must be a bool', $e->getMessage());
            }
        }
        $this->assertFalse($this->persistent('bool', ['persistent' => false])->isReused());
        try {
            $this->persistent('bool', ['base_url' => 42]);
            $this->fail('a base_url of 42 taken');
        } catch (InvalidArgumentException $e) {
            $this->assertStringContainsString('option base_url must be a string', $e->getMessage());
        }
        $this->assertSame([], $this->apiRequests());
    }
}
