"""A forked child never touches its parent's connections (issue 13): the gunicorn
``preload_app`` and ``multiprocessing`` patterns, over HTTPS to nginx (TLS, HTTP/1.1 and HTTP/2).

nginx answers every POST with ``$connection``, its serial number of the TCP connection, so the
parent sees that its kept-alive connection is still the one it uses after each child: a child
that closed it (a TLS close_notify on the shared socket) would make the parent's next request
fail or reconnect. The access log proves every parent write arrived once.
"""
import atexit
import multiprocessing
import os
import shutil
import socket
import subprocess
import time

import pytest

import caffesta

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("openssl") is None,
                                reason="nginx and openssl are needed (scripts/bootstrap.sh installs them)")

PARENT_WRITES = 20


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("nginx-fork"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", root + "/key.pem", "-out", root + "/cert.pem"],
                   check=True, capture_output=True)
    ports = {"http/1.1": _free_port(), "h2": _free_port()}
    servers = "".join(
        "server { listen 127.0.0.1:%d ssl%s; ssl_certificate %s/cert.pem; ssl_certificate_key %s/key.pem;\n"
        " keepalive_timeout 60s; keepalive_requests 10000;\n"
        " location / { return 200 '{\"success\":true,\"data\":{\"id\":$connection}}'; } }\n"
        % (port, " http2" if name == "h2" else "", root, root) for name, port in ports.items())
    with open(root + "/nginx.conf", "w") as f:
        f.write("worker_processes 1;\ndaemon on;\npid %s/nginx.pid;\nerror_log %s/error.log warn;\n"
                "events { worker_connections 256; }\nhttp {\n log_format fork '$request_uri $status';\n"
                " access_log %s/access.log fork;\n default_type application/json;\n"
                " client_body_temp_path %s/body; proxy_temp_path %s/proxy; fastcgi_temp_path %s/fcgi;"
                " uwsgi_temp_path %s/uwsgi; scgi_temp_path %s/scgi;\n%s}\n" % ((root,) * 8 + (servers,)))
    subprocess.run(["nginx", "-p", root, "-c", root + "/nginx.conf", "-e", root + "/error.log"], check=True)
    for port in ports.values():
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
    yield {"root": root, "urls": {name: "https://127.0.0.1:%d" % port for name, port in ports.items()}}
    subprocess.run(["nginx", "-p", root, "-c", root + "/nginx.conf", "-s", "stop"], capture_output=True)


def _access_log(nginx, last_line):
    """nginx's log lines, once `last_line` is in it: nginx writes a line after sending the answer."""
    for _ in range(100):
        with open(nginx["root"] + "/access.log") as f:
            log = f.read().split("\n")
        if last_line in log:
            break
        time.sleep(0.02)
    return log


def _connection(client, tag):
    return client.request("POST", "/p?t=" + tag, {"n": 1})["data"]["id"]


def _child_frees_without_calling(client, tag):
    client.close()
    os._exit(0)


def _child_calls_then_exits(client, tag):
    _connection(client, tag)
    atexit._run_exitfuncs()  # what sys.exit() runs (the binding's finalizer is not among them)
    os._exit(0)


def _child_calls_and_closes(client, tag):
    _connection(client, tag)
    client.close()
    os._exit(0)


def _child_exits_without_freeing(client, tag):
    os._exit(0)


CHILDREN = [_child_frees_without_calling, _child_calls_then_exits, _child_calls_and_closes,
            _child_exits_without_freeing]


def _run_in_fork(behaviour, client, tag):
    pid = os.fork()
    if pid == 0:
        try:
            behaviour(client, tag)
        except BaseException:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.parametrize("version", ["http/1.1", "h2"])
def test_forked_children_leave_the_parents_tls_connection_alone(nginx, version):
    with caffesta.Client("fork", "k", base_url=nginx["urls"][version], ca_file=nginx["root"] + "/cert.pem") as client:
        parent = _connection(client, "py-%s-open" % version)
        for behaviour in CHILDREN:
            tag = "py-%s-%s" % (version, behaviour.__name__)
            assert _run_in_fork(behaviour, client, tag + "-child") == 0
            # Every parent write succeeds on the same kept-alive connection, and arrives once.
            ids = [_connection(client, "%s-%d" % (tag, i)) for i in range(PARENT_WRITES)]
            assert ids == [parent] * PARENT_WRITES, behaviour.__name__
    log = _access_log(nginx, "/p?t=py-%s-%s-%d 200" % (version, CHILDREN[-1].__name__, PARENT_WRITES - 1))
    for behaviour in CHILDREN:
        for i in range(PARENT_WRITES):
            assert log.count("/p?t=py-%s-%s-%d 200" % (version, behaviour.__name__, i)) == 1


def _pool_work(tag):
    # runs in a multiprocessing worker forked from the test: the module-level client is inherited
    return _connection(_INHERITED, tag)


_INHERITED = None


def test_multiprocessing_workers_leave_the_parents_tls_connection_alone(nginx):
    global _INHERITED
    context = multiprocessing.get_context("fork")
    with caffesta.Client("fork", "k", base_url=nginx["urls"]["http/1.1"],
                         ca_file=nginx["root"] + "/cert.pem") as client:
        _INHERITED = client
        parent = _connection(client, "mp-open")
        with context.Pool(2) as pool:
            children = pool.map(_pool_work, ["mp-child-%d" % i for i in range(6)])
        assert parent not in children  # each worker opened its own connection
        ids = [_connection(client, "mp-parent-%d" % i) for i in range(PARENT_WRITES)]
        assert ids == [parent] * PARENT_WRITES
        _INHERITED = None
