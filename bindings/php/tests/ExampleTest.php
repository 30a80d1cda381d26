<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Tests\Support\Emulator;
use Caffesta\Tests\Support\EmulatorTestCase;
use Caffesta\Tests\Support\Process;

/** examples/php/sync.php against the emulator: created the first time, updated the second. */
final class ExampleTest extends EmulatorTestCase
{
    private static function examples(): string
    {
        return dirname(__DIR__, 3) . '/examples';
    }

    /** @return array{int, string, string} exit code, stdout, stderr */
    private function sync(array $arguments, array $env = []): array
    {
        return Process::run([PHP_BINARY, self::examples() . '/php/sync.php', ...$arguments], $env);
    }

    public function testSyncCreatesThenUpdatesTheCatalog(): void
    {
        $catalog = json_decode((string) file_get_contents(self::examples() . '/catalog.json'), true);
        $n = count($catalog);
        $this->assertGreaterThan(0, $n);

        [$code, $out, $err] = $this->sync(['--base-url', $this->emulator->url(), '--api-key', Emulator::API_KEY]);
        $this->assertSame(0, $code, $out . $err);
        $this->assertStringContainsString("$n products: $n created, 0 updated, 0 failed", $out);
        $this->assertMatchesRegularExpression('/^created\s+' . preg_quote($catalog[0]['ref_code'], '/') . '\s+id \d+/m', $out);

        [$code, $out, $err] = $this->sync([self::examples() . '/catalog.json'], ['CAFFESTA_BASE_URL' => $this->emulator->url(),
            'CAFFESTA_API_KEY' => Emulator::API_KEY, 'CAFFESTA_ACCOUNT' => 'demo']);
        $this->assertSame(0, $code, $out . $err);
        $this->assertStringContainsString("$n products: 0 created, $n updated, 0 failed", $out);
    }

    public function testARefusedProductIsReportedAndTheRestGoThrough(): void
    {
        $file = (string) tempnam(sys_get_temp_dir(), 'caffesta-catalog-');
        try {
            file_put_contents($file, json_encode([['ref_code' => 'no-name'], self::product('good')]));
            [$code, $out] = $this->sync(['--base-url', $this->emulator->url(), '--api-key', Emulator::API_KEY,
                '--catalog', $file]);
        } finally {
            unlink($file);
        }
        $this->assertSame(1, $code, $out);
        $this->assertMatchesRegularExpression('/^failed\s+no-name\s+.*name is required/m', $out);
        $this->assertStringContainsString('2 products: 1 created, 0 updated, 1 failed', $out);
    }

    public function testALargeCatalogGoesInChunksWithAProgressBarOnStderr(): void
    {
        $catalog = [];
        for ($i = 0; $i < 150; $i++) {
            $catalog[] = self::product(sprintf('big-%03d', $i), "Товар $i");
        }
        $catalog[70] = ['ref_code' => 'big-broken'];
        $file = (string) tempnam(sys_get_temp_dir(), 'caffesta-catalog-');
        try {
            file_put_contents($file, json_encode($catalog));
            [$code, $out, $err] = $this->sync(['--base-url', $this->emulator->url(), '--api-key', Emulator::API_KEY, $file]);
        } finally {
            unlink($file);
        }
        $this->assertSame(1, $code, $out . $err);
        $this->assertStringContainsString('150 products: 149 created, 0 updated, 1 failed', $out);
        $lines = explode("\n", trim($out));
        $this->assertCount(151, $lines);
        $this->assertMatchesRegularExpression('/^created\s+big-000\s+id \d+\s+Товар 0$/', $lines[0]);
        $this->assertMatchesRegularExpression('/^failed\s+big-broken\s+.*name is required/', $lines[70]);
        $this->assertMatchesRegularExpression('/^created\s+big-149\s+id \d+\s+Товар 149$/', $lines[149]);
        // Chunks of 64 at concurrency 4: the bar is drawn three times, and ends full on its own line.
        $this->assertSame("\r[############..................]  64/150\r[#########################.....] 128/150"
            . "\r[##############################] 150/150\n", $err);
    }

    public function testAWrongKeyStopsTheSync(): void
    {
        [$code, $out, $err] = $this->sync(['--base-url', $this->emulator->url(), '--api-key', 'wrong-key'],
            ['CAFFESTA_API_KEY' => null]);
        $this->assertSame(1, $code);
        $this->assertStringContainsString('the API key was refused', $err);
        $this->assertSame('', $out);
    }
}
