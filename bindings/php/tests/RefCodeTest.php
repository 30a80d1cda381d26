<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\Tests\Support\EmulatorTestCase;

/** ref_codes that could change a URL path stay one path segment and round-trip. */
final class RefCodeTest extends EmulatorTestCase
{
    private const PREFIX = '/a/v1.0/product/by_ref_code/';

    /** @dataProvider refCodes */
    public function testRefCodeRoundTripsAsOnePathSegment(string $refCode): void
    {
        $client = $this->client();
        $created = $client->upsertProduct(self::product($refCode, "Товар $refCode"));
        $this->assertSame(['ref_code' => $refCode, 'action' => 'created'], array_diff_key($created, ['id' => 0]));
        $updated = $client->upsertProduct(self::product($refCode, "Товар $refCode", 9.5));
        $this->assertSame(['id' => $created['id'], 'ref_code' => $refCode, 'action' => 'updated'], $updated);

        $read = $client->request('GET', self::PREFIX . Client::pathSegment($refCode));
        $this->assertSame($refCode, $read['data']['ref_code']);
        $this->assertSame($created['id'], $read['data']['id']);

        $byRefCode = array_values(array_filter($this->apiRequests(),
            static fn (array $r) => str_starts_with($r['path'], self::PREFIX)));
        $this->assertSame(['PUT', 'PUT', 'GET'], array_column($byRefCode, 'method'));
        foreach ($byRefCode as $request) {
            $segment = substr($request['path'], strlen(self::PREFIX));
            $this->assertDoesNotMatchRegularExpression('~[/?#\s]~', $segment, $request['path']);
            $this->assertSame($refCode, rawurldecode($segment), $request['path']);
        }
    }

    public function refCodes(): array
    {
        $codes = ['a/b', '../../storage/test', '..', '.', 'q?x=1', 'h#frag', 'with space', '100%', '%2F', '%',
            'Кофе/Чай', 'Латте ☕', 'a+b&c=d', "tab\there", 'trailing/'];
        return array_combine($codes, array_map(static fn ($c) => [$c], $codes));
    }

    public function testPathSegmentEncodesDotsToo(): void
    {
        $this->assertSame('%2E%2E', Client::pathSegment('..'));
        $this->assertSame('a%2Fb%3Fc%23d%20e%25', Client::pathSegment('a/b?c#d e%'));
        $this->assertSame('%D0%9A%D0%BE%D1%84%D0%B5', Client::pathSegment('Кофе'));
    }
}
