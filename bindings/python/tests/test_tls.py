"""TLS: a certificate the client does not trust is a TlsError; ca_file makes it trusted."""

from __future__ import annotations

import shutil
import subprocess

import pytest

import caffesta
from conftest import API_KEY, Emulator


@pytest.fixture(scope="module")
def tls_emulator(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    emu = Emulator(["--tls-cert", str(cert), "--tls-key", str(key)])
    try:
        assert emu.url.startswith("https://")
        yield emu, cert
    finally:
        emu.stop()


def test_untrusted_certificate_is_a_tls_error(tls_emulator):
    emu, _ = tls_emulator
    with caffesta.Client("demo", API_KEY, base_url=emu.url, max_retries=0) as c:
        with pytest.raises(caffesta.TlsError) as info:
            c.auth_test()
    assert info.value.status == "CAFFESTA_ERR_TLS"
    assert info.value.http_status == 0


def test_ca_file_trusts_the_certificate(tls_emulator):
    emu, cert = tls_emulator
    with caffesta.Client("demo", API_KEY, base_url=emu.url, ca_file=cert) as c:
        c.auth_test()
        assert c.upsert_product({"ref_code": "tls-1", "name": "Через TLS", "caf_tax_id": 1,
                                 "category_ref_code": "c", "workspace_ref_code": "w"}
                                )["action"] == "created"


def test_missing_ca_file_fails_at_the_call(tls_emulator, tmp_path):
    emu, _ = tls_emulator
    with caffesta.Client("demo", API_KEY, base_url=emu.url, ca_file=tmp_path / "none.pem",
                         max_retries=0) as c:
        with pytest.raises(caffesta.TlsError) as info:
            c.auth_test()
    assert "none.pem" in info.value.message
