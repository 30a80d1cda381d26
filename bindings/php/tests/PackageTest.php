<?php

declare(strict_types=1);

namespace Caffesta\Tests;

use Caffesta\Tests\Support\Emulator;
use Caffesta\Tests\Support\EmulatorTestCase;
use Caffesta\Tests\Support\Process;
use Caffesta\Tests\Support\Readme;

/**
 * The Composer package as a shop gets it: composer.json as a registry reads it, the files it
 * ships (no tests), and the README's Composer lines run as written — from the release's package
 * (made as `make dist` makes it), from a clone, and from a git repository holding the package at
 * its root — each installing vendor/caffesta/caffesta/ that calls the emulator.
 */
final class PackageTest extends EmulatorTestCase
{
    private const BINDING = __DIR__ . '/..';
    private const SHIPPED = ['LICENSE', 'README.md', 'autoload.php', 'bin/ffi-header.php', 'caffesta.ffi.h',
        'composer.json', 'preload.php'];

    private string $dir = '';

    protected function setUp(): void
    {
        parent::setUp();
        if (trim((string) shell_exec('command -v composer')) === '') {
            $this->fail('composer is not installed (scripts/bootstrap.sh installs it)');
        }
        $this->dir = sys_get_temp_dir() . '/caffesta-package-' . getmypid() . '-' . bin2hex(random_bytes(4));
        mkdir($this->dir);
    }

    protected function tearDown(): void
    {
        Process::run(['rm', '-rf', $this->dir]);
    }

    /** Composer, offline (the tests have no network; Packagist is never needed for this package). */
    private function composer(array $args, string $cwd): array
    {
        return Process::run(['composer', '--no-interaction', ...$args], ['COMPOSER_HOME' => "$this->dir/composer-home",
            'COMPOSER_ALLOW_SUPERUSER' => '1', 'COMPOSER_DISABLE_NETWORK' => '1'], $cwd);
    }

    /** Runs a README block with sh in $cwd, its paths replaced by $paths ("sudo" dropped: the test owns its files). */
    private function runBlock(string $block, array $paths, string $cwd): void
    {
        $script = strtr($block, $paths + ['sudo ' => '']);
        [$code, $out, $err] = Process::run(['sh', '-ec', $script], ['COMPOSER_HOME' => "$this->dir/composer-home",
            'COMPOSER_ALLOW_SUPERUSER' => '1', 'COMPOSER_NO_INTERACTION' => '1'], $cwd);
        $this->assertSame(0, $code, "$script\n$out\n$err");
    }

    /** A new shop project, as `echo '{}' > composer.json` makes it, with Packagist off: the tests have no network. */
    private function shop(string $name): string
    {
        $shop = "$this->dir/$name";
        mkdir($shop);
        file_put_contents("$shop/composer.json", "{\"repositories\": {\"packagist.org\": false}}\n");
        return $shop;
    }

    /** The shop's vendor/caffesta/caffesta: the files shipped, and a call through Composer's autoloader. */
    private function assertInstalled(string $shop, bool $archived = true): void
    {
        $installed = "$shop/vendor/caffesta/caffesta";
        $this->assertDirectoryExists($installed);
        if ($archived) {   // a git checkout (the vcs route here) has the whole repository
            $this->assertDirectoryDoesNotExist("$installed/tests");
            $this->assertFileDoesNotExist("$installed/phpunit.xml");
        }
        foreach (self::SHIPPED as $file) {
            $this->assertFileExists("$installed/$file");
        }
        $script = '<?php require "vendor/autoload.php";
            $client = new Caffesta\Client("demo", getenv("CAFFESTA_API_KEY"), ["base_url" => getenv("CAFFESTA_BASE_URL")]);
            $client->authTest();
            echo json_encode([(new ReflectionClass(Caffesta\Client::class))->getFileName(), Caffesta\Library::version()]);';
        file_put_contents("$shop/check.php", $script);
        [$code, $out, $err] = Process::run([PHP_BINARY, 'check.php'], ['CAFFESTA_API_KEY' => Emulator::API_KEY,
            'CAFFESTA_BASE_URL' => $this->emulator->url()], $shop);
        $this->assertSame(0, $code, $out . $err);
        [$file, $version] = json_decode($out, true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame(realpath("$installed/src/Client.php"), $file);
        $this->assertSame(trim((string) file_get_contents(dirname(__DIR__, 3) . '/VERSION')), $version);
    }

    public function testComposerJsonIsValidForARegistry(): void
    {
        [$code, $out, $err] = $this->composer(['validate', '--no-check-lock'], self::BINDING);
        $this->assertSame(0, $code, $out . $err);
        $this->assertStringContainsString('is valid', $out . $err);
        $json = json_decode((string) file_get_contents(self::BINDING . '/composer.json'), true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame('caffesta/caffesta', $json['name']);
        $this->assertSame('MIT', $json['license']);
        $this->assertSame((string) file_get_contents(dirname(__DIR__, 3) . '/LICENSE'),
            (string) file_get_contents(self::BINDING . '/LICENSE'), 'bindings/php/LICENSE is not the repository\'s');
    }

    /** What `make dist` ships as caffesta-php-<v>.tar.gz: the library's files, no tests. */
    public function testTheReleasePackageShipsNoTests(): void
    {
        $version = trim((string) file_get_contents(dirname(__DIR__, 3) . '/VERSION'));
        $tarball = $this->releasePackage();
        $this->assertSame("caffesta-php-$version.tar.gz", basename($tarball));
        [, $list] = Process::run(['tar', '-tzf', $tarball]);
        $files = array_values(array_filter(explode("\n", $list), static fn (string $f): bool => $f !== '' && !str_ends_with($f, '/')));
        $expected = self::SHIPPED;
        foreach (glob(self::BINDING . '/src/{,*/}*.php', GLOB_BRACE) as $source) {
            $expected[] = substr((string) realpath($source), strlen((string) realpath(self::BINDING)) + 1);
        }
        $expected = array_map(static fn (string $f): string => "caffesta-php-$version/$f", $expected);
        sort($expected);
        sort($files);
        $this->assertSame($expected, $files);
    }

    public function testTheReadmeLinesInstallTheReleasePackage(): void
    {
        $tarball = $this->releasePackage();
        $version = trim((string) file_get_contents(dirname(__DIR__, 3) . '/VERSION'));
        $block = Readme::block('composer', 'release');
        $this->assertStringContainsString("caffesta-php-$version.tar.gz", $block, 'the README names another version');
        mkdir("$this->dir/opt");
        $shop = $this->shop('shop');
        $this->runBlock($block, ['/opt' => "$this->dir/opt", "caffesta-php-$version.tar.gz" => $tarball], $shop);
        $this->assertInstalled($shop);
    }

    public function testTheReadmeLinesInstallFromAClone(): void
    {
        $shop = $this->shop('shop');
        $this->runBlock(Readme::block('composer', 'clone'), ['/home/me/libcaffesta/bindings/php' => realpath(self::BINDING)], $shop);
        $this->assertInstalled($shop);
    }

    /** The README's split of bindings/php into a repository of its own, with the release tag, then its vcs lines. */
    public function testTheReadmeLinesInstallFromAGitRepositoryOfThePackage(): void
    {
        // The package as a split would hold it, at the root of a repository, tagged as a release.
        $repo = "$this->dir/caffesta-php.git";
        $version = trim((string) file_get_contents(dirname(__DIR__, 3) . '/VERSION'));
        Process::run(['cp', '-R', realpath(self::BINDING), $repo]);
        Process::run(['rm', '-rf', "$repo/vendor"]);
        foreach ([['init', '-q'], ['add', '-A'], ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'split'],
                  ['tag', "v$version"]] as $git) {
            [$code, , $err] = Process::run(['git', ...$git], [], $repo);
            $this->assertSame(0, $code, $err);
        }
        $this->assertStringContainsString('git subtree split --prefix=bindings/php', (string) file_get_contents(Readme::FILE));
        $shop = $this->shop('shop');
        $this->runBlock(Readme::block('composer', 'vcs'), ['https://git.example.com/shop/caffesta-php.git' => $repo], $shop);
        $lock = json_decode((string) file_get_contents("$shop/composer.lock"), true, 512, JSON_THROW_ON_ERROR);
        [, $commit] = Process::run(['git', 'rev-parse', "v$version^{commit}"], [], $repo);
        $this->assertSame([['caffesta/caffesta', $version, 'git', trim($commit)]], array_map(
            static fn (array $p): array => [$p['name'], $p['version'], $p['source']['type'], $p['source']['reference']],
            $lock['packages']));
        // Installed from git (a local repository has no dist archive): the tests come along; a
        // registry's dist zip (git archive) leaves them out, as bindings/php/.gitattributes says.
        $this->assertInstalled($shop, archived: false);
    }

    private function releasePackage(): string
    {
        [$code, $out, $err] = Process::run(['bash', dirname(__DIR__, 3) . '/scripts/dist/php-package.sh', "$this->dir/dist"]);
        $this->assertSame(0, $code, $err);
        return trim($out);
    }
}
