<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Exception\ApiException;
use Caffesta\Tests\Support\Emulator;
use Caffesta\Tests\Support\EmulatorTestCase;
use Caffesta\Tests\Support\Process;

/**
 * A first delivery order from docs/api.md as written: it works on the first try (a new client)
 * and on the second (the same guest, now a known client); a card number sent again as a new
 * client is refused in words a person understands, the server's own text kept.
 */
final class FirstOrderTest extends EmulatorTestCase
{
    private static function example(): string
    {
        $text = (string) file_get_contents(dirname(__DIR__, 3) . '/docs/api.md');
        if (preg_match("/<!-- first-order: php -->\n```php\n(.*?)```/s", $text, $match) !== 1) {
            throw new \RuntimeException('docs/api.md has no first-order: php example');
        }
        // The shop's Composer autoloader is the binding's own here.
        return str_replace("require 'vendor/autoload.php';",
            'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . ';', $match[1]);
    }

    private function runExample(): string
    {
        $script = tempnam(sys_get_temp_dir(), 'first-order-');
        file_put_contents($script, self::example());
        try {
            [$code, $out, $err] = Process::run([PHP_BINARY, $script], ['CAFFESTA_ACCOUNT' => 'demo',
                'CAFFESTA_API_KEY' => Emulator::API_KEY, 'CAFFESTA_BASE_URL' => $this->emulator->url()]);
        } finally {
            unlink($script);
        }
        $this->assertSame(0, $code, $out . $err);
        return $out;
    }

    public function testTheDocsFirstOrderWorksTheFirstTimeAndTheSecond(): void
    {
        $receipts = $this->emulator->stats()['receipts'];
        $this->assertMatchesRegularExpression('/^order [0-9a-f-]{36} for a new client\n$/', $this->runExample());
        $this->assertMatchesRegularExpression('/^order [0-9a-f-]{36} for a known client\n$/', $this->runExample());
        $this->assertSame($receipts + 2, $this->emulator->stats()['receipts']);
    }

    public function testACardNumberSentAgainAsANewClientSaysWhatToDo(): void
    {
        $order = ['bill' => ['pos_id' => 2, 'app_id' => -1, 'delivery_type' => 2, 'total_sum' => '5.50',
            'items' => [['product_id' => 3, 'count' => 1, 'total_sum' => '5.50']],
            'client' => ['name' => 'Пётр', 'last_name' => 'Петров', 'address' => 'ул. Длинная',
                'phone' => '+375290000001', 'card_number' => '111222333444', 'discount_group' => ['id' => 1]]]];
        foreach (['/a/v1.1/draft/receipts', '/a/v1.0/draft/receipts'] as $path) {   // at once, and a job
            $client = $this->client(['order_path' => $path]);
            try {
                $client->waitForOrder($client->submitOrder($order), 30_000);
                $this->fail("$path: the duplicate card was accepted");
            } catch (ApiException $e) {
                $this->assertStringContainsString('another client already has card number 111222333444 '
                    . '(bill.client.card_number)', $e->getMessage());
                $this->assertStringContainsString('send bill.client = {"uuid": ...}', $e->getMessage());
                $this->assertStringEndsWith('DETAIL:  Key (card_number)=(111222333444) already exists.', $e->getMessage());
            }
        }
    }
}
