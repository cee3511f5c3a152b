"""The simulator's self-signed certificate (made with the openssl CLI) and its server-side TLS context."""
from __future__ import annotations

import ssl
import subprocess
from pathlib import Path


def generate_certificate(cert_dir: Path) -> tuple[Path, Path]:
    """A self-signed cert for 127.0.0.1/localhost in cert_dir (reused while valid for another hour)."""
    cert, key = cert_dir / "cert.pem", cert_dir / "key.pem"
    if cert.exists() and key.exists():
        check = subprocess.run(["openssl", "x509", "-checkend", "3600", "-noout", "-in", str(cert)], capture_output=True, check=False)
        if check.returncode == 0:
            return cert, key
    cert_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def server_context(cert_dir: Path) -> tuple[ssl.SSLContext, Path]:
    """The TLS context of a server with the certificate in cert_dir (made first if needed), and the cert's path."""
    cert, key = generate_certificate(cert_dir)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    return context, cert
