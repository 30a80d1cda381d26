#!/usr/bin/env python3
"""Measures where a write on an idle kept-alive HTTP/1.1 connection starts to fail (issue 13).

Starts, on loopback ports, nginx (plain HTTP and HTTPS, HTTP/1.1) and Python's http.server
(HTTP/1.1 with an idle timeout), each closing idle connections after a few keep-alive
timeouts. For every server and every idle gap around its timeout, some clients each make a
POST (opening the connection), wait the gap, then make a second POST. A failed second POST is
looked up in the server's log: one that never arrived is the fault the idle line prevents.

  CAFFESTA_LIBRARY=build/stage/lib/libcaffesta.so.1 python3 scripts/measure-idle-writes.py

prints one line per (server, timeout, gap): trials, failed, failed-and-never-arrived. Run it
with a library built with and without the idle guard to compare. Loopback only; bounded.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bindings", "python"))
import caffesta  # noqa: E402

PY_SERVER = r'''
import sys, http.server, socketserver
timeout, log = float(sys.argv[1]), open(sys.argv[2], "a", buffering=1)
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = timeout  # the idle keep-alive timeout: the read times out and the connection closes
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        log.write(self.path + "\n")
        body = b'{"success":true,"data":{"id":1}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 refuses connections when many clients connect at once
server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
'''


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_nginx(root, timeouts):
    """One nginx, one server block per (scheme, timeout); returns [(name, timeout, url, log)]."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", root + "/key.pem",
                    "-out", root + "/cert.pem"], check=True, capture_output=True)
    peers, blocks = [], []
    for scheme in ("http", "https"):
        for timeout in timeouts:
            port = free_port()
            log = "%s/%s-%s.log" % (root, scheme, timeout)
            tls = (" ssl;\n ssl_certificate %s/cert.pem; ssl_certificate_key %s/key.pem;" % (root, root)
                   if scheme == "https" else ";")
            blocks.append("server { listen 127.0.0.1:%d%s\n keepalive_timeout %gs;\n access_log %s peers;\n"
                          " location / { return 200 '{\"success\":true,\"data\":{\"id\":$connection}}'; } }"
                          % (port, tls, timeout, log))
            peers.append(("nginx " + scheme, timeout, "%s://127.0.0.1:%d" % (scheme, port), log))
    d = root
    conf = ("worker_processes 1;\ndaemon on;\npid %s/nginx.pid;\nerror_log %s/error.log warn;\n"
            "events { worker_connections 4096; }\nhttp {\n log_format peers '$request_uri';\n"
            " default_type application/json;\n client_body_temp_path %s/body; proxy_temp_path %s/proxy;"
            " fastcgi_temp_path %s/fcgi; uwsgi_temp_path %s/uwsgi; scgi_temp_path %s/scgi;\n%s\n}\n"
            % (d, d, d, d, d, d, d, "\n".join(blocks)))
    with open(root + "/nginx.conf", "w") as f:
        f.write(conf)
    subprocess.run(["nginx", "-p", root, "-c", root + "/nginx.conf", "-e", root + "/error.log"], check=True)
    return peers


def start_python(root, timeouts, processes):
    peers = []
    for timeout in timeouts:
        log = "%s/python-%s.log" % (root, timeout)
        p = subprocess.Popen([sys.executable, "-c", PY_SERVER, str(timeout), log], stdout=subprocess.PIPE, text=True)
        processes.append(p)
        peers.append(("python http.server", timeout, "http://127.0.0.1:%s" % p.stdout.readline().strip(), log))
    return peers


def run(peer, gap, clients, rounds, ca, results, lock):
    name, timeout, url, log = peer

    def one(worker):
        for r in range(rounds):
            tag = "%s-%d-%d-%d" % (name.replace(" ", "_"), int(gap * 1000), worker, r)
            with caffesta.Client("idle", "k", base_url=url, ca_file=ca, max_retries=0, timeout=10) as c:
                try:
                    c.request("POST", "/p?t=%s-0" % tag, {})
                except caffesta.CaffestaError:
                    continue  # the first write only opens the connection
                time.sleep(gap)
                try:
                    c.request("POST", "/p?t=%s-1" % tag, {})
                    failed = None
                except caffesta.CaffestaError as e:
                    failed = tag + "-1"
                    with lock:
                        results.setdefault(("msg", name), str(e))
                with lock:
                    key = (name, timeout, gap)
                    row = results.setdefault(key, [0, []])
                    row[0] += 1
                    if failed:
                        row[1].append((failed, log))

    threads = [threading.Thread(target=one, args=(w,)) for w in range(clients)]
    for t in threads:
        t.start()
    return threads


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeouts", default="1,2,5", help="keep-alive timeouts in seconds")
    parser.add_argument("--python-timeouts", default="1,2")
    parser.add_argument("--before", type=float, default=0.3, help="first gap: timeout - this (s)")
    parser.add_argument("--after", type=float, default=0.1, help="last gap: timeout + this (s)")
    parser.add_argument("--step", type=float, default=0.05)
    parser.add_argument("--clients", type=int, default=4, help="parallel clients per (server, gap)")
    parser.add_argument("--rounds", type=int, default=6, help="trials per client")
    args = parser.parse_args()
    timeouts = [float(t) for t in args.timeouts.split(",") if t]
    root = tempfile.mkdtemp(prefix="idle-writes-")
    processes = []
    peers = start_nginx(root, timeouts)
    peers += start_python(root, [float(t) for t in args.python_timeouts.split(",") if t], processes)
    results, lock, threads = {}, threading.Lock(), []
    try:
        for peer in peers:
            steps = int(round((args.before + args.after) / args.step))
            for i in range(steps + 1):
                gap = round(peer[1] - args.before + i * args.step, 3)
                threads += run(peer, gap, args.clients, args.rounds, root + "/cert.pem", results, lock)
        for t in threads:
            t.join()
    finally:
        subprocess.run(["nginx", "-p", root, "-c", root + "/nginx.conf", "-s", "stop"], capture_output=True)
        for p in processes:
            p.terminate()
    print("server\ttimeout_s\tgap_s\ttrials\tfailed\tfailed_never_arrived")
    for key in sorted(k for k in results if k[0] != "msg"):
        trials, failures = results[key]
        logs = {}
        lost = 0
        for tag, log in failures:
            if log not in logs:
                logs[log] = open(log).read()
            lost += tag not in logs[log]
        print("%s\t%g\t%.3f\t%d\t%d\t%d" % (key[0], key[1], key[2], trials, len(failures), lost))
    for key in sorted(k for k in results if k[0] == "msg"):
        print("# %s: %s" % (key[1], results[key]))


if __name__ == "__main__":
    main()
