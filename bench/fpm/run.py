"""The php-fpm benchmark: what one upsert adds to a shop's "admin save" page when Caffesta is 50 ms
away, with a new client per request, a persistent client, and Guzzle.

    python3 bench/fpm/run.py --library PATH [--quick]

Starts, on loopback, and stops at the end: the emulator; nginx (bench/fpm/nginx.conf.in) with TLS
in front of it, as Caffesta's side, and serving the page (bench/fpm/save.php) from php-fpm, as the
shop's side; a relay (bench/fpm/relay.py) between the page's clients and nginx's TLS port that
delays each direction by 25 ms (a 50 ms round trip, a new connection's handshake included); php-fpm
with one worker, the binding preloaded as the php-fpm recipe does. The page times its upsert from
before its client is made to after the answer. Requests go in rounds, each case's batch in an
order rotated every round, after a warm-up (the product is created then, so each measured upsert
is one PUT). Prints progress on stderr and one JSON line on stdout:
{"rtt_ms", "cases": {id: {"label", "requests", "median_ms", "p90_ms", "round_trips",
"connections", "reused"}}}. round_trips is the median over the link's round trip: as measured,
server and client time included (the "no relay" case shows how much that is).
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ONE_WAY_MS = 25
RTT_MS = 2 * ONE_WAY_MS
KEY = "bench0123456789abcdef0123456789ab"
# (id, label, query): the cases, each a batch of page requests per round.
CASES = [("new", "new Caffesta\\Client per request", "mode=new"),
         ("persistent", "persistent Caffesta\\Client", "mode=persistent"),
         ("guzzle", "Guzzle, a new client per request", "mode=guzzle"),
         ("direct", "persistent, no relay (client and server time)", "mode=persistent&direct=1")]


def log(message):
    sys.stderr.write("  fpm: %s\n" % message)
    sys.stderr.flush()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_line(process, prefix, seconds=20):
    """The first line of process's stdout that starts with prefix, without it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    raise SystemExit("bench: %s did not start (no %r line)" % (process.args[1] if len(process.args) > 1 else process.args[0], prefix))


def wait_until(ready, what, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    raise SystemExit("bench: %s did not start" % what)


def accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def php_fpm():
    version = subprocess.run(["php", "-r", "echo PHP_MAJOR_VERSION, '.', PHP_MINOR_VERSION;"], capture_output=True,
                             text=True).stdout.strip()
    for name in ("php-fpm" + version, "php-fpm"):
        for folder in [None, "/usr/sbin", "/usr/local/sbin"]:
            found = shutil.which(name, path=folder)
            if found:
                return found
    raise SystemExit("bench: php-fpm is not installed (apt-get install php-fpm)")


class Servers:
    """The emulator, nginx, the relay and php-fpm, in one temporary folder; stop() ends them all."""

    def __init__(self, library):
        self.tmp = tempfile.mkdtemp(prefix="caffesta-bench-fpm-")
        os.chmod(self.tmp, 0o755)
        self.processes = []
        self.library = library

    def spawn(self, argv, **kwargs):
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, **kwargs)
        self.processes.append(process)
        return process

    def start(self):
        tmp = self.tmp
        root = os.geteuid() == 0
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", tmp + "/key.pem",
                        "-out", tmp + "/cert.pem"], check=True, capture_output=True)
        emulator = self.spawn([sys.executable, ROOT + "/emulator/caffesta_emulator.py", "--host", "127.0.0.1", "--port", "0",
                               "--db", ":memory:", "--api-key", KEY], stdout=subprocess.PIPE,
                              stderr=open(tmp + "/emulator.err", "w"), text=True)
        emulator_url = read_line(emulator, "listening on ")
        self.tls_port, self.page_port = free_port(), free_port()
        with open(HERE + "/nginx.conf.in") as f:
            conf = f.read()
        for name, value in {"@USER@": "user root;" if root else "", "@PREFIX@": tmp, "@PAGES@": HERE,
                            "@EMULATOR@": emulator_url.split("://", 1)[1], "@TLS_PORT@": str(self.tls_port),
                            "@PAGE_PORT@": str(self.page_port)}.items():
            conf = conf.replace(name, value)
        with open(tmp + "/nginx.conf", "w") as f:
            f.write(conf)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.spawn([nginx, "-p", tmp + "/", "-c", tmp + "/nginx.conf", "-e", tmp + "/error.log"],
                   stdout=subprocess.DEVNULL, stderr=open(tmp + "/nginx.err", "w"))
        wait_until(lambda: accepts(self.tls_port) and accepts(self.page_port), "nginx")
        relay = self.spawn([sys.executable, HERE + "/relay.py", "0", "127.0.0.1:%d" % self.tls_port, str(ONE_WAY_MS)],
                           stdout=subprocess.PIPE, text=True)
        relay_port = int(read_line(relay, "listening on "))

        # php-fpm as the recipe runs it (bindings/php/README.md): the binding preloaded, the scope
        # declared by ffi.preload from a header naming this library; one worker.
        with open(tmp + "/ffi.h", "w") as f:
            subprocess.run(["php", ROOT + "/bindings/php/bin/ffi-header.php", self.library], stdout=f, check=True)
        with open(tmp + "/php.ini", "w") as f:
            f.write("opcache.enable=1\nffi.enable=preload\nffi.preload=%s/ffi.h\nopcache.preload=%s/bindings/php/preload.php\n"
                    % (tmp, ROOT) + ("opcache.preload_user=root\n" if root else ""))
        with open(tmp + "/fpm.conf", "w") as f:
            f.write("[global]\nerror_log = %s/fpm-error.log\ndaemonize = no\n\n[bench]\nlisten = %s/fpm.sock\n"
                    "pm = static\npm.max_children = 1\n" % (tmp, tmp))
            for name, value in (("BENCH_BASE_URL", "https://127.0.0.1:%d" % relay_port),
                                ("BENCH_DIRECT_URL", "https://127.0.0.1:%d" % self.tls_port),
                                ("BENCH_KEY", KEY), ("BENCH_CA_FILE", tmp + "/cert.pem")):
                f.write("env[%s] = %s\n" % (name, value))
        self.spawn([php_fpm()] + (["-R"] if root else []) + ["-c", tmp + "/php.ini", "-y", tmp + "/fpm.conf"],
                   stdout=subprocess.DEVNULL, stderr=open(tmp + "/fpm.err", "w"))
        wait_until(lambda: os.path.exists(tmp + "/fpm.sock"), "php-fpm")
        self.page = http.client.HTTPConnection("127.0.0.1", self.page_port, timeout=120)

    def get(self, query):
        """One page request: its JSON answer."""
        self.page.request("GET", "/save.php?" + query)
        answer = self.page.getresponse()
        body = answer.read().decode("utf-8", "replace")
        if answer.status != 200:
            raise SystemExit("bench: the admin page answered %d: %s\n%s" % (answer.status, body, self.logs()))
        return json.loads(body)

    def connections(self):
        """The nginx connection number of every upsert that reached Caffesta's side, in order."""
        with open(self.tmp + "/api.log") as f:
            return [line.split()[0] for line in f if " PUT " in line]

    def logs(self):
        out = []
        for name in ("fpm.err", "fpm-error.log", "nginx.err", "error.log", "emulator.err"):
            try:
                with open(os.path.join(self.tmp, name)) as f:
                    out.append("%s: %s" % (name, f.read()[-2000:]))
            except OSError:
                pass
        return "\n".join(out)

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--library", required=True)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    rounds, batch = (1, 2) if a.quick else (5, 20)
    servers = Servers(os.path.abspath(a.library))
    try:
        servers.start()
        for _, _, query in CASES + CASES[1:2]:   # warm-up: the product created, the worker's connections opened
            servers.get(query)
        samples = {case: [] for case, _, _ in CASES}
        connections = {case: set() for case, _, _ in CASES}
        reused = {case: 0 for case, _, _ in CASES}
        for round_ in range(rounds):
            shift = round_ % len(CASES)
            for case, _, query in CASES[shift:] + CASES[:shift]:
                before = len(servers.connections())
                for _ in range(batch):
                    answer = servers.get(query)
                    samples[case].append(answer["ms"])
                    reused[case] += answer["reused"] is True
                connections[case].update(servers.connections()[before:])
            log("round %d/%d done" % (round_ + 1, rounds))
    finally:
        servers.stop()
    cases = {}
    for case, label, _ in CASES:
        values = sorted(samples[case])
        median = statistics.median(values)
        cases[case] = dict(label=label, requests=len(values), median_ms=round(median, 2),
                           p90_ms=round(values[min(len(values) - 1, int(len(values) * 0.9))], 2),
                           round_trips=round(median / RTT_MS, 3),
                           connections=len(connections[case]), reused=reused[case])
    print(json.dumps(dict(rtt_ms=RTT_MS, cases=cases)))


if __name__ == "__main__":
    main()
