<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\Exception\CaffestaException;
use Caffesta\Tests\Support\EmulatorTestCase;

/**
 * Money and time as PHP holds them: a numeric string ('12.50', as database decimals arrive) in a
 * field the API documents as a number goes out as the number it spells, exactly; any other string
 * there is refused before any request, naming the field. Dates in the documented forms are checked
 * before any request; DateTimeInterface is converted where a call takes a date or a timestamp.
 */
final class MoneyAndTimeTest extends EmulatorTestCase
{
    private function lastBody(string $method, string $pathStart): string
    {
        foreach (array_reverse($this->apiRequests()) as $entry) {
            if ($entry['method'] === $method && str_starts_with($entry['path'], $pathStart)) {
                return $entry['body'];
            }
        }
        $this->fail("no $method $pathStart in the emulator's log");
    }

    public function testANumericStringGoesOutAsTheNumberItSpells(): void
    {
        $product = self::product('money-1');
        $product['prices'][0]['price'] = '12.50';
        $product['prices'][0]['self_cost'] = '0.1';
        $product['caf_tax_id'] = '1';
        $this->assertSame('created', $this->client()->upsertProduct($product)['action']);
        $wire = $this->lastBody('POST', '/a/v1.0/product/');
        $this->assertStringContainsString('"price":12.50', $wire);
        $this->assertStringContainsString('"self_cost":0.1', $wire);
        $this->assertStringContainsString('"caf_tax_id":1', $wire);
        $this->assertStringContainsString('"name":"Латте"', $wire);   // other strings stay strings
    }

    public function testBulkUpsertsAndDocumentsTakeNumericStringsToo(): void
    {
        $product = self::product('bulk-money');
        $product['prices'][0]['price'] = '3.30';
        $this->assertSame('created', $this->client()->upsertProducts([$product])[0]['action']);
        $this->assertStringContainsString('"price":3.30', $this->lastBody('POST', '/a/v1.0/product/'));

        $invoice = self::sample('invoice_create.request.json');
        $invoice['items'][0]['price'] = '7.60';
        $invoice['items'][0]['amount'] = '1.250';
        $this->client()->createInvoice($invoice);
        $sent = json_decode($this->lastBody('POST', '/a/v1.0/storage/invoices'), true);
        // The values arrive as numbers; their exact text is the library's business (issue 11).
        $this->assertEquals(7.6, $sent['items'][0]['price']);
        $this->assertEquals(1.25, $sent['items'][0]['amount']);
    }

    public function testAStringThatIsNotANumberIsRefusedNamingTheField(): void
    {
        $product = self::product('money-bad');
        $product['prices'][0]['price'] = '12,50';
        $this->assertRefusedBeforeAnyRequest(fn (Client $c) => $c->upsertProduct($product),
            "product: prices[0].price must be a number, or a numeric string such as '12.50'; got \"12,50\"");

        $invoice = self::sample('invoice_create.request.json');
        $invoice['items'][1]['amount'] = ' 25';
        $this->assertRefusedBeforeAnyRequest(fn (Client $c) => $c->createInvoice($invoice), 'invoice: items[1].amount must be a number');

        $order = self::sample('order_create.request.json');
        $order['bill']['total_sum'] = 'NaN';
        $this->assertRefusedBeforeAnyRequest(fn (Client $c) => $c->createOrder($order), 'order: bill.total_sum must be a number');
    }

    public function testRequestSendsItsBodyAsGiven(): void
    {
        try {
            $this->client()->request('POST', '/a/v1.0/product/', ['ref_code' => 'raw', 'price_note' => '12.50']);
        } catch (CaffestaException) {
            // the emulator wants more fields; what went out is what is checked
        }
        $this->assertStringContainsString('"price_note":"12.50"', $this->lastBody('POST', '/a/v1.0/product/'));
    }

    public function testAnInvoiceDateInAnotherFormNeverReachesTheServer(): void
    {
        foreach (['2026-11-30', '2026-11-30T10:00', '2026-11-30 10:00:00'] as $date) {
            $invoice = self::sample('invoice_create.request.json');
            $invoice['date'] = $date;
            $this->assertRefusedBeforeAnyRequest(fn (Client $c) => $c->createInvoice($invoice), 'YYYY-MM-DD HH:MM');
        }
        $invoice = self::sample('invoice_create.request.json');
        $invoice['date'] = new \DateTimeImmutable('2026-11-30 10:00:30', new \DateTimeZone('UTC'));
        $this->assertRefusedBeforeAnyRequest(fn (Client $c) => $c->createInvoice($invoice), 'has seconds');
    }

    public function testADateTimeIsWrittenInUtcAsTheApiDocumentsIt(): void
    {
        $invoice = self::sample('invoice_create.request.json');
        $invoice['date'] = new \DateTimeImmutable('2026-11-30 14:28', new \DateTimeZone('Europe/Minsk'));
        $this->assertGreaterThan(0, $this->client()->createInvoice($invoice));
        $this->assertStringContainsString('"date":"2026-11-30 11:28"', $this->lastBody('POST', '/a/v1.0/storage/invoices'));

        $order = self::sample('order_create.request.json');
        $order['bill']['created_at'] = new \DateTimeImmutable('2021-12-21 23:25:00', new \DateTimeZone('+03:00'));
        try {
            $this->client()->createOrder($order);
        } catch (CaffestaException) {
            // the answer's form is issue 12's; the body sent is what is checked here
        }
        $posted = array_values(array_filter($this->apiRequests(), fn (array $e) => $e['method'] === 'POST'));
        $this->assertStringContainsString('"created_at":"2021-12-21T20:25:00"', end($posted)['body']);
    }

    public function testAFeedTsMayBeADateTime(): void
    {
        $moment = new \DateTimeImmutable('2024-01-02 03:04:05', new \DateTimeZone('UTC'));
        $this->client()->getBalances(2, $moment);
        $requests = $this->apiRequests();
        $this->assertSame('/a/v1.0/draft/get_balances/2/' . $moment->getTimestamp(), end($requests)['path']);
    }

    /** Rows changed in the very second given come back, as in C and Python. */
    public function testAFeedTsIsInclusive(): void
    {
        $client = $this->client();
        $id = $client->upsertProduct(self::product('ts-edge-php'))['id'];
        $ts = $client->getUpdates(2)['products'];
        $this->assertContains($id, array_column($client->getAllProducts(2, $ts), 'id'));
        $this->assertNotContains($id, array_column($client->getAllProducts(2, $ts + 1), 'id'));
    }

    public function testTheBulkDefaultConcurrencyIsPythons(): void
    {
        $this->assertSame(8, Client::DEFAULT_CONCURRENCY);
        $parameter = (new \ReflectionMethod(Client::class, 'upsertProducts'))->getParameters()[1];
        $this->assertSame(8, $parameter->getDefaultValue());
    }

    public function testABaseUrlEndingInTheApiPrefixIsRefused(): void
    {
        try {
            $this->client(['base_url' => $this->emulator->url() . '/a/v1.0']);
            $this->fail('a base URL with the API prefix was accepted');
        } catch (\Caffesta\Exception\InvalidArgumentException $e) {
            $this->assertStringContainsString('API prefix', $e->getMessage());
        }
    }

    public function testABadAccountNameGetsTheLibrarysReason(): void
    {
        $this->expectException(\Caffesta\Exception\InvalidArgumentException::class);
        $this->expectExceptionMessage('account_name');
        new Client('evil.com/x#', 'key');
    }
}
