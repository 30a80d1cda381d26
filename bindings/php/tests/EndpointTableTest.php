<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\ClientInterface;
use Caffesta\Exception\StatusException;
use Caffesta\Exception\InvalidArgumentException;
use Caffesta\Exception\NetworkException;
use Caffesta\Status;
use Caffesta\Tests\Support\EmulatorTestCase;

/**
 * The endpoint methods as api/calls.toml describes them: Client implements ClientInterface, so a
 * shop's tests can replace it; a message names the PHP argument, never the C parameter; a ref_code
 * is text, and a number is refused saying how to send it; an order's DateTimeInterface with
 * microseconds (new DateTimeImmutable()) goes out to the second, in UTC.
 */
final class EndpointTableTest extends EmulatorTestCase
{
    /** The C++ test's order: the emulator's seed has POS 2 and product 3. */
    private const ORDER = ['bill' => ['pos_id' => 2, 'app_id' => 26, 'delivery_type' => 2, 'total_sum' => 1.5,
        'payments' => [['payment_id' => 2, 'value' => 1.5]],
        'items' => [['count' => 1, 'total_sum' => 1.5, 'product_id' => 3]]]];

    public function testTheClientImplementsTheInterfaceWithEveryPublicMethod(): void
    {
        $client = $this->client();
        $this->assertInstanceOf(ClientInterface::class, $client);
        $public = static fn (string $class): array => array_values(array_diff(
            array_map(static fn (\ReflectionMethod $m): string => $m->getName(),
                (new \ReflectionClass($class))->getMethods(\ReflectionMethod::IS_PUBLIC)),
            ['__construct', '__destruct', 'pathSegment', 'setPersistentLimit']));   // statics: not the client's
        $this->assertEqualsCanonicalizing($public(Client::class), $public(ClientInterface::class));
    }

    /** The README's test double: code typed against the interface takes a PHPUnit mock. */
    public function testATestDoubleStandsInForTheClient(): void
    {
        $client = $this->createMock(ClientInterface::class);
        $client->method('submitOrder')->willReturn(['job_id' => null, 'status' => 'success', 'uuid' => 'u-1']);
        $client->method('getReceiptInfo')->willThrowException(
            StatusException::fromStatus(Status::NETWORK, 'connect to https://mycafe.caffesta.com failed'));
        $checkout = static function (ClientInterface $caffesta): string {
            $made = $caffesta->submitOrder(self::ORDER);
            try {
                $caffesta->getReceiptInfo($made['uuid']);
            } catch (NetworkException) {
                return "{$made['uuid']} (receipt later)";
            }
            return $made['uuid'];
        };
        $this->assertSame('u-1 (receipt later)', $checkout($client));
    }

    public function testAnOrderTimeWithMicrosecondsGoesOutToTheSecondInUtc(): void
    {
        $order = self::ORDER;
        $order['bill']['created_at'] = new \DateTimeImmutable('2021-12-21 23:25:59.999999', new \DateTimeZone('+03:00'));
        $order['bill']['started_at'] = new \DateTimeImmutable();
        $this->assertSame('success', $this->client()->submitOrder($order)['status']);
        $posted = array_values(array_filter($this->apiRequests(),
            static fn (array $e): bool => $e['method'] === 'POST' && str_starts_with($e['path'], '/a/v1.1/draft/receipts')));
        $wire = end($posted)['body'];
        $this->assertStringContainsString('"created_at":"2021-12-21T20:25:59"', $wire); // dropped, not rounded up
        $started = $order['bill']['started_at']->setTimezone(new \DateTimeZone('UTC'))->format('Y-m-d\TH:i:s');
        $this->assertStringContainsString("\"started_at\":\"$started\"", $wire);
    }

    public function testNewDateTimeImmutableInAnOrderSucceedsOnTheFirstTryAndTheSecond(): void
    {
        $client = $this->client();
        foreach ([1, 2] as $try) {
            $order = self::ORDER;
            $order['bill']['created_at'] = new \DateTimeImmutable();
            $order['bill']['started_at'] = new \DateTime();
            $this->assertSame('success', $client->submitOrder($order)['status'], "try $try");
        }
    }

    public function testANumberRefCodeIsRefusedSayingHowToSendIt(): void
    {
        $client = $this->client();
        try {
            $client->upsertProduct(['ref_code' => 1001] + self::product('x'));
            $this->fail('a number ref_code was sent');
        } catch (InvalidArgumentException $e) {
            $this->assertStringStartsWith('product: ref_code must be a string, not the int 1001', $e->getMessage());
            $this->assertStringContainsString("'ref_code' => (string) \$sku", $e->getMessage());
        }
        $this->assertSame([], $this->apiRequests());
        $this->assertSame('1001', $client->upsertProduct(self::product('1001'))['ref_code']);
    }

    /** @dataProvider badCalls */
    public function testMessagesNameThePhpArgumentNotTheCParameter(\Closure $call, string $message): void
    {
        $this->assertRefusedBeforeAnyRequest($call, $message); // "product needs", never "product_json needs"
    }

    public function badCalls(): array
    {
        return [
            'a product without ref_code' => [fn (Client $c) => $c->upsertProduct(['name' => 'x']), 'product needs a string "ref_code"'],
            'an empty invoice' => [fn (Client $c) => $c->createInvoice([]), 'invoice: '],
            'a move without storages' => [fn (Client $c) => $c->createMove(['date' => '2022-06-01 15:15']), 'move: '],
            'known with a negative ts' => [fn (Client $c) => $c->syncChanges(2, ['products' => -1]), 'known: '],
            'a submitted order without a job' => [fn (Client $c) => $c->waitForOrder(['job_id' => 0]), 'order: job_id'],
            'a menu item without a code' => [fn (Client $c) => $c->importMenuPart(['items' => [['id' => 1.5]]]), 'menu: items[0].id'],
        ];
    }

    public function testStatusNamesTheHeadersValues(): void
    {
        foreach (StatusException::statuses() as $code => [$name]) {
            $this->assertSame($code, constant(Status::class . '::' . substr($name, strlen('CAFFESTA_ERR_'))), $name);
        }
        $this->assertSame(0, Status::OK);
    }

    public function testTheGeneratedFilesSaySoInTheirFirstLine(): void
    {
        foreach (['ClientTrait.php', 'ClientInterface.php', 'Status.php'] as $file) {
            $first = strtok((string) file_get_contents(dirname(__DIR__) . "/src/$file"), "\n");
            $this->assertSame('<?php // generated by scripts/calls.py from api/calls.toml: edit those', $first, $file);
        }
    }
}
