<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Client;
use Caffesta\Exception\TlsException;
use Caffesta\Tests\Support\Emulator;
use Caffesta\Tests\Support\Process;
use PHPUnit\Framework\TestCase;

/** HTTPS: a certificate the client does not trust is a TlsException; ca_file makes it trusted. */
final class TlsTest extends TestCase
{
    private static ?Emulator $emulator = null;
    private static string $directory = '';

    public static function setUpBeforeClass(): void
    {
        if (trim((string) shell_exec('command -v openssl')) === '') {
            return; // each test skips
        }
        self::$directory = sys_get_temp_dir() . '/caffesta-php-tls-' . getmypid();
        @mkdir(self::$directory);
        $cert = self::$directory . '/cert.pem';
        $key = self::$directory . '/key.pem';
        $command = ['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
            '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', $key, '-out', $cert];
        [$code, , $err] = Process::run($command);
        if ($code !== 0) {
            throw new \RuntimeException("openssl failed: $err");
        }
        self::$emulator = Emulator::start(['--tls-cert', $cert, '--tls-key', $key]);
    }

    public static function tearDownAfterClass(): void
    {
        self::$emulator?->stop();
        self::$emulator = null;
        foreach (glob(self::$directory . '/*') ?: [] as $file) {
            unlink($file);
        }
        @rmdir(self::$directory);
    }

    protected function setUp(): void
    {
        if (self::$emulator === null) {
            $this->markTestSkipped('the openssl command is needed to make a test certificate');
        }
        $this->assertStringStartsWith('https://', self::$emulator->url());
    }

    public function testAnUntrustedCertificateIsATlsError(): void
    {
        $client = new Client('demo', Emulator::API_KEY, ['base_url' => self::$emulator->url(), 'max_retries' => 0]);
        try {
            $client->authTest();
            $this->fail('an untrusted certificate was accepted');
        } catch (TlsException $e) {
            $this->assertSame('CAFFESTA_ERR_TLS', $e->getStatus());
            $this->assertSame(0, $e->getHttpStatus());
        }
    }

    public function testCaFileTrustsTheCertificate(): void
    {
        $client = new Client('demo', Emulator::API_KEY,
            ['base_url' => self::$emulator->url(), 'ca_file' => self::$directory . '/cert.pem']);
        $client->authTest();
        $result = $client->upsertProduct(['ref_code' => 'tls-1', 'name' => 'Через TLS', 'caf_tax_id' => 1,
            'category_ref_code' => 'c', 'workspace_ref_code' => 'w']);
        $this->assertSame('created', $result['action']);
    }

    public function testAMissingCaFileFailsAtTheCall(): void
    {
        $client = new Client('demo', Emulator::API_KEY, ['base_url' => self::$emulator->url(),
            'ca_file' => self::$directory . '/none.pem', 'max_retries' => 0]);
        $this->expectException(TlsException::class);
        $this->expectExceptionMessage('none.pem');
        $client->authTest();
    }
}
