<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\Exception\NotFoundException;
use Caffesta\Tests\Support\EmulatorTestCase;

/** Sales exports: the emulator's one sale (2 × Сырный раф on POS 2, shift day 2022-04-20). */
final class SalesTest extends EmulatorTestCase
{
    public function testSalesByProductOfAShiftDayAndOfARange(): void
    {
        $client = $this->client();
        $rows = $client->getSalesByProduct(shiftDay: '2022-04-20');
        $this->assertCount(1, $rows);
        $this->assertSame(['2', '3', 'Сырный раф', '2', '8'],
            [$rows[0]['caf_terminal_id'], $rows[0]['caf_id'], $rows[0]['name'], $rows[0]['qnt'], $rows[0]['total_pay']]);
        $this->assertIsString($rows[0]['total_pay']);

        $this->assertSame($rows, $client->getSalesByProduct('2022-04-20T00:00+03:00', '2022-04-21'));
        $this->assertSame($rows, $client->getSalesByProduct(new \DateTimeImmutable('2022-04-20T00:00:00+03:00'),
            new \DateTimeImmutable('2022-04-20T23:59:30+03:00')));
        $this->assertSame([], $client->getSalesByProduct(shiftDay: new \DateTimeImmutable('2022-04-21 12:00')));

        $paths = array_column($this->apiRequests(), 'path');
        $this->assertSame([
            '/a/v1.0/product/export_sales?shift_day=2022-04-20',
            '/a/v1.0/product/export_sales?start=2022-04-20T00%3A00%2B03%3A00&end=2022-04-21', // the zone's '+' encoded
            '/a/v1.0/product/export_sales?start=2022-04-20T00%3A00%2B03%3A00&end=2022-04-20T23%3A59%3A30%2B03%3A00',
            '/a/v1.0/product/export_sales?shift_day=2022-04-21',
        ], $paths);
    }

    public function testSalesByPos(): void
    {
        $client = $this->client();
        $rows = $client->getSalesByPos('2022-04-20', '2022-04-20T23:59');
        $this->assertCount(1, $rows);
        // Grouped by shop, as the final docs show: no terminal id; one row per terminal on request.
        $this->assertSame([null, '2', '8.00'], [$rows[0]['caf_terminal_id'], $rows[0]['qnt'], $rows[0]['total_pay']]);
        $byTerminal = $client->getSalesByPos(shiftDay: '2022-04-20', groupByTerminal: true);
        $this->assertSame([2], array_column($byTerminal, 'caf_terminal_id'));
        $this->assertSame($rows, $client->getSalesByPos(shiftDay: '2022-04-20'));
        $this->assertSame([], $client->getSalesByPos(null, null, '2022-04-21'));
        $this->assertStringStartsWith('/a/v1.0/product/export_sales_totals?', $this->apiRequests()[0]['path']);
    }

    public function testReceiptsOfAShiftDay(): void
    {
        $client = $this->client();
        $receipts = $client->getReceiptsByShiftDay(2, '2022-04-20');
        $this->assertCount(1, $receipts);
        $this->assertSame(2, $receipts[0]['bill_dishes'][0]['count']);
        $this->assertSame([], $client->getReceiptsByShiftDay(2, new \DateTimeImmutable('2022-04-21')));
        $this->assertSame(['/a/v1.0/draft/receipts_by_shift_day/2/2022-04-20', '/a/v1.0/draft/receipts_by_shift_day/2/2022-04-21'],
            array_column($this->apiRequests(), 'path'));
        $this->expectException(NotFoundException::class);
        $client->getReceiptsByShiftDay(999, '2022-04-20');
    }

    /** @dataProvider badCalls */
    public function testBadArgumentsAreRefusedBeforeAnyRequest(\Closure $call, string $message): void
    {
        $this->assertRefusedBeforeAnyRequest($call, $message);
    }

    public function badCalls(): array
    {
        return [
            'start without end' => [fn (Client $c) => $c->getSalesByProduct('2022-04-20'), 'start and end'],
            'range and shift day' => [fn (Client $c) => $c->getSalesByProduct('2022-04-20', '2022-04-21', '2022-04-20'), 'shift_day'],
            'nothing' => [fn (Client $c) => $c->getSalesByProduct(), 'shift_day'],
            'end alone' => [fn (Client $c) => $c->getSalesByPos(end: '2022-04-21'), 'start'],
            'a dotted date' => [fn (Client $c) => $c->getSalesByPos('20.04.2022', '2022-04-21'), 'ISO 8601'],
            'hour 25' => [fn (Client $c) => $c->getSalesByPos('2022-04-20T25:00', '2022-04-21'), 'ISO 8601'],
            'a query in the date' => [fn (Client $c) => $c->getSalesByPos('2022-04-20&x=1', '2022-04-21'), 'ISO 8601'],
            'a bad shift day' => [fn (Client $c) => $c->getSalesByPos(shiftDay: '2022-04-31'), 'shift_day'],
            'microseconds' => [fn (Client $c) => $c->getSalesByPos(new \DateTimeImmutable('2022-04-20 10:00:00.25'), '2022-04-21'),
                'start has microseconds'],
            'NUL in end' => [fn (Client $c) => $c->getSalesByPos('2022-04-20', "2022-04-21\0"), 'end contains a NUL byte'],
            'terminal 0' => [fn (Client $c) => $c->getReceiptsByShiftDay(0, '2022-04-20'), 'terminal_id'],
            'a path in the day' => [fn (Client $c) => $c->getReceiptsByShiftDay(2, '2022-04-20/../x'), 'date'],
        ];
    }
}
