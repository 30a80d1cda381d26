#!/usr/bin/env bash
# make dist-check, in the Debian 13 root where the .deb is installed: the PHP shop's route from
# the release files, word for word from bindings/php/README.md — the Composer lines (the release's
# PHP package as a path repository), then the php-fpm recipe (php.ini, pool, nginx site, script,
# the master started without systemd) — and `curl http://localhost/shop.php` must print
# "caffesta: ok". The only changes: this system's PHP version for the README's 8.2, and `sudo`
# running as the root this runs as. It runs in a network namespace of its own (scripts/dist/
# check.sh), so the recipe's port 80 is free, under scripts/with-emulator.sh (the emulator the
# env file names, CAFFESTA_BASE_URL).
#   cd /tmp/caffesta && scripts/with-emulator.sh bash scripts/dist/fpm-recipe.sh
set -euo pipefail
readme=$PWD/bindings/php/README.md
version=$(cat VERSION)
php_version=$(php -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')

# block KIND NAME: the fenced block after "<!-- KIND: NAME -->", the README's 8.2 as this PHP.
block() {
  python3 - "$readme" "$1: $2" "$php_version" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
match = re.search(r"<!-- %s -->\n```[a-z]*\n(.*?)```" % re.escape(sys.argv[2]), text, re.S)
if not match:
    sys.exit("no %s block in %s" % (sys.argv[2], sys.argv[1]))
sys.stdout.write(match.group(1).replace("8.2", sys.argv[3]))
PY
}
sudo() { "$@"; }   # the README's sudo, for root
export -f sudo
quiet() { "$@" >/tmp/quiet.log 2>&1 || { cat /tmp/quiet.log; return 1; }; }

pids=()
stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; nginx -s stop 2>/dev/null || true; }
trap stop EXIT

echo "-- packages, as the README's Install says: $(grep -o 'sudo apt-get install php-fpm[^`]*' "$readme")"
quiet apt-get install -y $(grep -o 'sudo apt-get install php-fpm[^`]*' "$readme" | sed 's/^sudo apt-get install //')

echo "-- the Composer lines (release), in a new project /var/www/shop"
mkdir -p /var/www/shop/public
cp "dist/caffesta-php-$version.tar.gz" /var/www/shop/   # as downloaded from the release
cd /var/www/shop
echo '{}' > composer.json
lines=$(block composer release)
COMPOSER_ALLOW_SUPERUSER=1 COMPOSER_NO_INTERACTION=1 bash -euc "$lines" >/tmp/composer.log 2>&1 \
  || { cat /tmp/composer.log; exit 1; }
ls vendor/caffesta/caffesta/preload.php vendor/caffesta/caffesta/caffesta.ffi.h
[ ! -e vendor/caffesta/caffesta/tests ] || { echo "the package ships its tests"; exit 1; }

echo "-- the php-fpm recipe (PHP $php_version)"
block fpm-recipe php.ini > "/etc/php/$php_version/fpm/conf.d/90-caffesta.ini"
block fpm-recipe pool > "/etc/php/$php_version/fpm/pool.d/www.conf"
block fpm-recipe nginx > /etc/nginx/sites-available/shop
block fpm-recipe script > /var/www/shop/public/shop.php
ln -s /etc/nginx/sites-available/shop /etc/nginx/sites-enabled/shop
printf 'CAFFESTA_ACCOUNT=%s\nCAFFESTA_API_KEY=%s\nCAFFESTA_BASE_URL=%s\n' \
  "$CAFFESTA_ACCOUNT" "$CAFFESTA_API_KEY" "$CAFFESTA_BASE_URL" > /etc/caffesta.env
chmod 600 /etc/caffesta.env
start=$(grep -o '`set -a; \. /etc/caffesta\.env; set +a; exec php-fpm8\.2 [^`]*`' "$readme" | tr -d '`' | sed "s/8\.2/$php_version/")
run_dir=$(grep -o '`mkdir -p /run/php`' "$readme" | tr -d '`')
[ -n "$start" ] && [ -n "$run_dir" ] || { echo "the README has no start line without systemd"; exit 1; }
echo "   $run_dir; $start"
# The master gets nothing of this shell's environment but what the env file gives it.
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin bash -c "$run_dir; $start" >/tmp/fpm.log 2>&1 &
pids+=($!)
nginx -t 2>/dev/null && nginx
sock="/run/php/php$php_version-fpm.sock"
for _ in $(seq 1200); do [ -S "$sock" ] || ! kill -0 "${pids[0]}" 2>/dev/null && break; sleep 0.05; done
[ -S "$sock" ] || { echo "php-fpm did not start:"; cat /tmp/fpm.log; exit 1; }

quiet apt-get install -y curl   # this check's own
echo "-- curl http://localhost/shop.php"
answer=$(curl -sS http://localhost/shop.php)
echo "   $answer"
[ "$answer" = "caffesta: ok" ] || { cat /tmp/fpm.log /var/log/nginx/error.log 2>/dev/null; exit 1; }
