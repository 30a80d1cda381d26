"""Runs every measurement of the benchmark, prints the table and writes it as JSON.

Called by bench/run.sh, which builds the C programs and starts nginx and the emulator:
    bench.py --bin DIR --nginx URL --emulator URL --key KEY --out FILE [--quick]

Every loopback case runs against the same nginx, side by side: each repetition runs all of
them, in an order rotated by one each time, and the table shows medians. A case is one fresh
process that reports {"ms", "cpu_ms", "items", "distinct_ids"} for its measured part only.

The ratios are of the client's CPU time (user + system of its process), not of wall time, which
moves with whatever else the machine runs; the C cases are also counted in instructions by
callgrind (the measured part only, between the marks of bench/common.h), which holds still.
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

FULL = dict(reps=5, c_items=5000, py_items=2000, php_items=2000, mem_calls=100000, load_runs=201,
            wan_items=500, wan_reps=3, callgrind_items=1000, callgrind_cases=None, python_shared=False)
# Quick: callgrind on one C case only, start-up and warm-up uninstrumented (valgrind's start is
# still about 0.5 s of CPU), and the three Python cases in one process (each start is 0.1-0.2 s),
# which pays back most, not all, of what the callgrind run costs.
QUICK = dict(reps=1, c_items=40, py_items=20, php_items=20, mem_calls=100, load_runs=3,
             wan_items=8, wan_reps=1, callgrind_items=5, callgrind_cases=("lib-seq",), python_shared=True)
CONCURRENCIES = (1, 4, 8, 16)
WARMUP = 20  # items every case runs before its measured part (BENCH_WARMUP of bench/common.h)


def run(argv, env=None, lines=1):
    """Runs one measuring process and returns its JSON line (its last `lines` lines, as a list, if
    lines > 1)."""
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if proc.returncode != 0:
        sys.stderr.write("bench: %s failed (%d):\n%s%s" % (" ".join(argv), proc.returncode, proc.stdout,
                                                         proc.stderr))
        sys.exit(1)
    results = [json.loads(line) for line in proc.stdout.strip().splitlines()[-lines:]]
    return results if lines > 1 else results[0]


def loopback_cases(a, p):
    """(id, label, argv, items, connections it should use) of every case run against nginx."""
    url, key, b = a.nginx, a.key, a.bin
    n = str(p["c_items"])
    cases = [("raw-seq", "C raw libcurl+jansson, sequential", [b + "/raw_loop", url, key, "seq", n], 1),
             ("lib-seq", "C library caffesta_product_upsert, sequential", [b + "/lib_loop", url, key, "seq", n], 1)]
    for c in CONCURRENCIES:
        cases.append(("raw-multi-%d" % c, "C raw curl multi, concurrency %d" % c,
                      [b + "/raw_loop", url, key, "multi", n, str(c)], c))
        cases.append(("lib-many-%d" % c, "C library caffesta_products_upsert_many, concurrency %d" % c,
                      [b + "/lib_loop", url, key, "many", n, str(c)], c))
    cases.append(("lib-many-progress-8", "C library upsert_many, concurrency 8, progress callback",
                  [b + "/lib_loop", url, key, "many-progress", n, "8"], 8))
    py, n = [sys.executable, HERE + "/py_bench.py", url, key], str(p["py_items"])
    cases += [("py-requests-seq", "Python requests.Session, sequential", py + ["requests-seq", n], 1),
              ("py-lib-seq", "Python Client.upsert_product, sequential", py + ["lib-seq", n], 1),
              ("py-lib-many-8", "Python Client.upsert_products, concurrency 8", py + ["lib-many", n, "8"], 8)]
    php, n = ["php", HERE + "/php_bench.php", url, key], str(p["php_items"])
    cases += [("php-curl-seq", "PHP curl extension, sequential", php + ["curl-seq", n], 1),
              ("php-lib-seq", "PHP Client->upsertProduct, sequential", php + ["lib-seq", n], 1),
              ("php-lib-many-8", "PHP Client->upsertProducts, concurrency 8", php + ["lib-many", n, "8"], 8)]
    cases = [dict(id=i, label=l, argv=v, connections=c, c_program=v[0].startswith(b + "/")) for i, l, v, c in cases]
    if p["python_shared"]:  # one Python start for the three Python cases (Python's start is most of their CPU)
        python = [c for c in cases if c["argv"][:len(py)] == py]
        argv = list(py)
        for index, case in enumerate(python):
            argv += (["--"] if index else []) + case["argv"][len(py):]
            case.update(shared_argv=argv, shared_index=index, shared_count=len(python))
    return cases


def measure_rounds(cases, reps, check_connections, log):
    """Runs every case `reps` times, rotating the order each round; fills case["samples"]."""
    for case in cases:
        case["samples"] = []
    for rep in range(reps):
        shift = rep % len(cases)
        shared = {}  # bench --quick: cases that share one process, run when the first is due
        for case in cases[shift:] + cases[:shift]:
            if "shared_argv" in case:
                key = tuple(case["shared_argv"])
                if key not in shared:
                    shared[key] = run(case["shared_argv"], lines=case["shared_count"])
                result = shared[key][case["shared_index"]]
            else:
                result = run(case["argv"])
            if "skipped" in result:
                case["skipped"] = result["skipped"]
                continue
            if check_connections and result["distinct_ids"] == 0:
                sys.exit("bench: %s got no id back" % case["id"])
            case["samples"].append(result)
        log("  round %d/%d done" % (rep + 1, reps))
    for case in cases:
        if case["samples"]:
            items = case["samples"][0]["items"]
            case["items"] = items
            case["median_ms"] = statistics.median(s["ms"] for s in case["samples"])
            case["median_cpu_ms"] = statistics.median(s["cpu_ms"] for s in case["samples"])
            case["us_per_item"] = case["median_ms"] * 1e3 / items
            case["cpu_us_per_item"] = case["median_cpu_ms"] * 1e3 / items
            if check_connections:  # against nginx the ids are connection numbers
                used = max(s["distinct_ids"] for s in case["samples"])
                case["connections_used"] = used
                if used > case["connections"] or used < 0:
                    case["note"] = ("opened %s connections for %d items, where %d kept alive would do"
                                    % (used if used > 0 else "over 1024", items, case["connections"]))


def callgrind_out(argv, out_file):
    """Runs argv under callgrind, counting only the measured part; returns its JSON line and the
    instructions (Ir) counted."""
    result = run(["valgrind", "--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no",
                  "--callgrind-out-file=" + out_file]
                 + argv)
    with open(out_file) as f:
        totals = [int(m.group(1)) for m in (re.match(r"(?:summary|totals):\s*(\d+)", line) for line in f) if m]
    if not totals:
        sys.exit("bench: %s has no instruction count" % out_file)
    return result, totals[-1]


def measure_instructions(cases, p, out_dir, log):
    """Instructions per item of the C cases, each in one short run under callgrind; the
    profiles stay in out_dir (callgrind_annotate out_dir/lib-seq.out shows where they go)."""
    if shutil.which("valgrind") is None:
        log("callgrind: valgrind is not installed, no instruction counts")
        return
    os.makedirs(out_dir, exist_ok=True)
    items = p["callgrind_items"]
    chosen = [c for c in cases if c["c_program"]
              and (p["callgrind_cases"] is None or c["id"] in p["callgrind_cases"])]
    log("callgrind: %d C cases, %d items each" % (len(chosen), items))
    for case in chosen:
        argv = list(case["argv"])
        argv[4] = str(items)  # PROGRAM URL KEY MODE N [C]
        result, instructions = callgrind_out(argv, os.path.join(out_dir, case["id"] + ".out"))
        case["callgrind_items"] = result["items"]
        case["instructions_per_item"] = instructions / result["items"]


def stripped_size(library):
    """Bytes of the library as `make lib` ships it (strip --strip-unneeded of a copy, so that an
    unstripped build is measured the same way)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "lib.so")
        if shutil.which("strip") and subprocess.run(["strip", "--strip-unneeded", "-o", copy, library]).returncode == 0:
            return os.path.getsize(copy)
    return os.path.getsize(library)


def measure_load(a, p):
    """Median dlopen time of the library in fresh processes, and of nothing (the clock's floor)."""
    lib, nothing = [], []
    for _ in range(p["load_runs"]):
        lib.append(run([a.bin + "/load_time", a.library])["us"])
        nothing.append(run([a.bin + "/load_time", "-"])["us"])
    return dict(runs=p["load_runs"], median_us=statistics.median(lib), floor_us=statistics.median(nothing),
                added_us=statistics.median(lib) - statistics.median(nothing))


def main():
    ap = argparse.ArgumentParser()
    for name in ("bin", "nginx", "emulator", "key", "out", "library"):
        ap.add_argument("--" + name, required=True)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    p = QUICK if a.quick else FULL
    started = time.time()
    load_before = os.getloadavg()

    def log(message):
        print("[%5.1f s] %s" % (time.time() - started, message), flush=True)

    cases = loopback_cases(a, p)
    log("loopback against nginx: %d cases x %d rounds (C %d items, Python %d, PHP %d)"
        % (len(cases), p["reps"], p["c_items"], p["py_items"], p["php_items"]))
    measure_rounds(cases, p["reps"], True, log)
    by_id = {c["id"]: c for c in cases}
    measure_instructions(cases, p, os.path.join(os.path.dirname(os.path.abspath(a.out)), "callgrind"), log)

    log("memory: %d library upserts in one process" % p["mem_calls"])
    mem = run([a.bin + "/lib_loop", a.nginx, a.key, "mem", str(p["mem_calls"])])
    memory = dict(calls=p["mem_calls"], rss_before_kb=mem["rss_before_kb"], rss_after_kb=mem["rss_after_kb"],
                  growth_kb=mem["rss_after_kb"] - mem["rss_before_kb"], us_per_call=mem["ms"] * 1e3 / p["mem_calls"])

    log("load time: %d fresh processes each" % p["load_runs"])
    load = measure_load(a, p)

    n = str(p["wan_items"])
    log("WAN-like: emulator with 20 ms per answer, %d items; creating them first" % p["wan_items"])
    created = run([a.bin + "/lib_loop", a.emulator, a.key, "many", n, "16"])
    wan = [dict(id="wan-seq", label="WAN-like: library sequential", connections=1,
                argv=[a.bin + "/lib_loop", a.emulator, a.key, "seq", n])]
    for c in (8, 16):
        wan.append(dict(id="wan-many-%d" % c, label="WAN-like: upsert_many, concurrency %d" % c, connections=c,
                        argv=[a.bin + "/lib_loop", a.emulator, a.key, "many", n, str(c)]))
    measure_rounds(wan, p["wan_reps"], False, log)
    wan_by_id = {c["id"]: c for c in wan}

    log("php-fpm: an admin page's upsert over a 50 ms round trip (bench/fpm/run.py)")
    fpm = run([sys.executable, HERE + "/fpm/run.py", "--library", a.library] + (["--quick"] if a.quick else []))
    fpm_cases = fpm["cases"]

    def ratio(slow, fast, table, key="median_cpu_ms"):
        """slow / fast of one measure: CPU by default, "instructions_per_item", "median_ms" (wall)."""
        s, f = table.get(slow, {}), table.get(fast, {})
        if key == "median_cpu_ms" and "cpu_us_per_item" in s and "cpu_us_per_item" in f:
            return s["cpu_us_per_item"] / f["cpu_us_per_item"]  # per item: the cases' counts may differ
        return s[key] / f[key] if s.get(key) and f.get(key) else None

    instr = "instructions_per_item"
    size = stripped_size(a.library)
    # (what, value, how it is compared, target, unit): CPU and instruction ratios per item.
    comparisons = [("C sequential: library / raw, CPU", ratio("lib-seq", "raw-seq", by_id), "<=", 1.05, "x"),
                   ("C sequential: library / raw, instructions", ratio("lib-seq", "raw-seq", by_id, instr),
                    None, None, "x")]
    for c in CONCURRENCIES:
        comparisons += [("bulk c=%d / raw multi c=%d, CPU" % (c, c),
                         ratio("lib-many-%d" % c, "raw-multi-%d" % c, by_id), "<=", 1.15, "x"),
                        ("bulk c=%d / raw multi c=%d, instructions" % (c, c),
                         ratio("lib-many-%d" % c, "raw-multi-%d" % c, by_id, instr), "<=", 1.15, "x")]
    comparisons += [
        ("bulk c=8 with progress / without, CPU", ratio("lib-many-progress-8", "lib-many-8", by_id), None, None, "x"),
        ("Python: requests / upsert_product, CPU", ratio("py-requests-seq", "py-lib-seq", by_id), ">=", 6.0, "x"),
        ("Python: requests / upsert_products c=8, CPU", ratio("py-requests-seq", "py-lib-many-8", by_id),
         ">=", 20.0, "x"),
        ("PHP: upsertProduct / curl extension, CPU", ratio("php-lib-seq", "php-curl-seq", by_id), "<=", 1.2, "x"),
        ("PHP: upsertProducts c=8 / upsertProduct, CPU", ratio("php-lib-many-8", "php-lib-seq", by_id),
         "<=", 1.0, "x"),
        ("memory growth over %d calls" % memory["calls"], memory["growth_kb"] / 1024, "<", 1.0, "MB"),
        ("loading the library over libcurl+jansson", load["added_us"] / 1000, "<", 0.3, "ms"),
        ("stripped library size", size / 1024, None, None, "KiB"),
        ("WAN-like: sequential / bulk c=8, wall (speed-up)", ratio("wan-seq", "wan-many-8", wan_by_id, "median_ms"),
         ">=", 6.0, "x"),
        ("WAN-like: sequential / bulk c=16, wall (speed-up)",
         ratio("wan-seq", "wan-many-16", wan_by_id, "median_ms"), None, None, "x"),
        ("loopback: raw sequential / raw multi c=8, wall (speed-up)",
         ratio("raw-seq", "raw-multi-8", by_id, "median_ms"), None, None, "x"),
        ("loopback: library sequential / bulk c=8, wall (speed-up)",
         ratio("lib-seq", "lib-many-8", by_id, "median_ms"), None, None, "x"),
        ("php-fpm upsert, 50 ms RTT: persistent, round trips", fpm_cases["persistent"]["round_trips"], "<=", 1.2, "RT"),
        ("php-fpm upsert, 50 ms RTT: new client, round trips", fpm_cases["new"]["round_trips"], None, None, "RT"),
        ("php-fpm upsert, 50 ms RTT: Guzzle, round trips", fpm_cases["guzzle"]["round_trips"], None, None, "RT"),
    ]
    verdicts = []
    for what, value, op, target, unit in comparisons:
        if value is None:
            met = None
        elif op is None:
            met = None
        else:
            met = {"<=": value <= target, ">=": value >= target, "<": value < target}[op]
        verdicts.append(dict(what=what, value=value, op=op, target=target, unit=unit, met=met))

    load_after = os.getloadavg()
    print()
    print("Medians of %d round(s), every loopback case against the same nginx%s" %
          (p["reps"], " (QUICK MODE: counts too small to mean anything)" if a.quick else ""))
    print("load average before %.2f, after %.2f on %d CPUs (wall time moves with it; CPU less; instructions not)"
          % (load_before[0], load_after[0], os.cpu_count()))
    print("cpu: user + system of the client per item; instr: callgrind, %d items after up to %d of warm-up"
          % (p["callgrind_items"], WARMUP))
    print("%-56s %6s %9s %8s %8s %8s %5s" % ("case", "items", "wall ms", "wall us", "cpu us", "k instr", "conns"))
    for c in cases + wan:
        if "median_ms" not in c:
            print("%-56s %s" % (c["label"], c.get("skipped", "no result")))
            continue
        instructions = c.get("instructions_per_item")
        print("%-56s %6d %9.1f %8.1f %8.1f %8s %5s" % (
            c["label"], c["items"], c["median_ms"], c["us_per_item"], c["cpu_us_per_item"],
            "-" if instructions is None else "%.1f" % (instructions / 1e3), c.get("connections_used", "-")))
    for c in cases:
        if "note" in c:
            print("note: %s %s" % (c["id"], c["note"]))
    print("%-56s %6d %9.1f %8.1f" % ("memory run: library sequential (one process)", memory["calls"],
                                      memory["us_per_call"] * memory["calls"] / 1e3, memory["us_per_call"]))
    print("RSS after 1 000 warm-up calls %d KB, after %d more %d KB: growth %d KB" %
          (memory["rss_before_kb"], memory["calls"], memory["rss_after_kb"], memory["growth_kb"]))
    print("dlopen(libcaffesta.so.1) after libcurl+jansson: median %.0f us (clock floor %.1f us, %d processes)" %
          (load["median_us"], load["floor_us"], load["runs"]))
    print("WAN-like items created first (PUT 404 + POST each, c=16): %.0f ms for %d" % (created["ms"], created["items"]))
    print("stripped library: %d bytes (%.0f KiB)" % (size, size / 1024))
    print("php-fpm admin page, one upsert per request, %d ms round trip (nginx TLS 1.3 + HTTP/2, relay):" % fpm["rtt_ms"])
    print("  %-54s %8s %9s %8s %7s %5s" % ("client", "requests", "median ms", "p90 ms", "RT", "conns"))
    for c in fpm_cases.values():
        print("  %-54s %8d %9.1f %8.1f %7.2f %5d" % (c["label"], c["requests"], c["median_ms"], c["p90_ms"],
                                                      c["round_trips"], c["connections"]))
    print()
    print("%-58s %9s %9s  %s" % ("ratio", "value", "target", "met"))
    for v in verdicts:
        value = "-" if v["value"] is None else ("%.0f %s" if v["unit"] == "KiB" else "%.2f %s") % (v["value"], v["unit"])
        target = "" if v["op"] is None else "%s %g %s" % (v["op"], v["target"], v["unit"])
        met = "" if v["met"] is None else ("yes" if v["met"] else "NO")
        if a.quick and met:
            met = "(quick)"
        print("%-58s %9s %9s  %s" % (v["what"], value, target, met))

    def versions():
        def first_line(argv):
            try:
                out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                return out.stdout.strip().splitlines()[0]
            except (OSError, IndexError):
                return None
        return dict(nginx=first_line(["nginx", "-v"]), php=first_line(["php", "-v"]), python=sys.version.split()[0],
                    libcurl=first_line(["pkg-config", "--modversion", "libcurl"]),
                    jansson=first_line(["pkg-config", "--modversion", "jansson"]),
                    caffesta=first_line(["pkg-config", "--modversion", "caffesta"]))

    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    results = dict(quick=a.quick, params=p, seconds=round(time.time() - started, 1),
                   machine=dict(cpus=os.cpu_count(), cpu=cpu, kernel=platform.release(), versions=versions(),
                                load_average_before=load_before[0], load_average_after=load_after[0]),
                   cases={c["id"]: {k: v for k, v in c.items() if k != "argv"} for c in cases + wan},
                   wan_create=created, memory=memory, load=load, stripped_size=size, fpm=fpm, comparisons=verdicts)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(results, f, indent=2)
    print()
    log("written to %s" % os.path.relpath(a.out, ROOT))


if __name__ == "__main__":
    main()
