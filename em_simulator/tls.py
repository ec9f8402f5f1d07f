"""TLS material: a private CA and a server certificate for 127.0.0.1, localhost and ::1.

Files in the TLS directory are reused while they are valid for those names, so a
client's copy of ca.pem stays good across simulator restarts. A lock file makes
parallel starts (pytest-xdist, make) agree on one CA.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import ipaddress
import os
import ssl
import tempfile
from dataclasses import dataclass

SERVER_NAMES = ("127.0.0.1", "localhost", "::1")
CA_FILE = "ca.pem"
CERT_FILE = "server.pem"
KEY_FILE = "server.key"


@dataclass(frozen=True)
class TlsFiles:
    ca_path: str
    cert_path: str
    key_path: str


def ensure_tls_files(tls_dir: str | None) -> TlsFiles:
    if tls_dir is None:
        tls_dir = tempfile.mkdtemp(prefix="em-sim-tls-")
    tls_dir = os.path.abspath(tls_dir)
    os.makedirs(tls_dir, exist_ok=True)
    files = TlsFiles(
        os.path.join(tls_dir, CA_FILE),
        os.path.join(tls_dir, CERT_FILE),
        os.path.join(tls_dir, KEY_FILE),
    )
    with open(os.path.join(tls_dir, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not _usable(files):
                _generate(files)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return files


def _usable(files: TlsFiles) -> bool:
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        with open(files.ca_path, "rb") as f:
            ca = x509.load_pem_x509_certificate(f.read())
        with open(files.cert_path, "rb") as f:
            leaf = x509.load_pem_x509_certificates(f.read())[0]
        with open(files.key_path, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), password=None)
        margin = _dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(days=1)
        for cert in (ca, leaf):
            if cert.not_valid_after_utc < margin:
                return False
        leaf.verify_directly_issued_by(ca)
        pub = serialization.PublicFormat.SubjectPublicKeyInfo
        enc = serialization.Encoding.DER
        if key.public_key().public_bytes(enc, pub) != leaf.public_key().public_bytes(enc, pub):
            return False
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = set(san.get_values_for_type(x509.DNSName))
        ips = set(san.get_values_for_type(x509.IPAddress))
        for name in SERVER_NAMES:
            try:
                if ipaddress.ip_address(name) not in ips:
                    return False
            except ValueError:
                if name not in dns:
                    return False
        return True
    except Exception:
        return False


def _generate(files: TlsFiles) -> None:
    import trustme

    ca = trustme.CA(organization_name="EM simulator test CA")
    leaf = ca.issue_cert(*SERVER_NAMES)
    _atomic_write(files.key_path, leaf.private_key_pem.bytes(), 0o600)
    _atomic_write(files.cert_path, b"".join(p.bytes() for p in leaf.cert_chain_pems), 0o644)
    _atomic_write(files.ca_path, ca.cert_pem.bytes(), 0o644)


def _atomic_write(path: str, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def server_context(cert_path: str, key_path: str) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert_path, key_path)
    return ctx
