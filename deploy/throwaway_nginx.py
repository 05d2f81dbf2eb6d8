"""The site in a real nginx under a temporary prefix, on loopback ports, without root.

The deployment tests (tests/deploy/) and `benchmarks.submit_load --through-nginx` put it in
front of gunicorn: nginx's pid file, logs and temporary files stay in the prefix, nginx stays
in the foreground, and the main configuration around the site is Debian's in miniature (an
access log and an error log at the http level, which the site must override).
"""

import contextlib
import functools
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

from deploy import nginx_site

SERVER_NAME = "survey.test"
# Debian and most distributions install nginx here, outside an ordinary user's PATH.
NGINX_PLACES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")


def nginx_binary():
    """The nginx program, or None when none is installed."""
    found = shutil.which("nginx")
    if found:
        return found
    return next((place for place in NGINX_PLACES if os.access(place, os.X_OK)), None)


def free_port():
    """A TCP port nothing listens on now, on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed_certificate(folder, server_name=SERVER_NAME):
    """(certificate, key) paths of a throwaway certificate for `server_name`: made with the
    `cryptography` package when it is installed, else with the openssl program; None when
    neither is there."""
    folder = Path(folder)
    certificate, key = folder / "certificate.pem", folder / "key.pem"
    try:
        _certificate_with_cryptography(certificate, key, server_name)
    except ImportError:
        openssl = shutil.which("openssl")
        if openssl is None:
            return None
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
            + ["-nodes", "-days", "2", "-subj", f"/CN={server_name}"]
            + ["-addext", f"subjectAltName=DNS:{server_name}"]
            + ["-keyout", str(key), "-out", str(certificate)],
            check=True,
            capture_output=True,
        )
    return certificate, key


def certificate_maker():
    """Which tool self_signed_certificate uses here: "cryptography", "openssl" or None."""
    try:
        import cryptography  # noqa: F401
    except ImportError:
        return "openssl" if shutil.which("openssl") else None
    return "cryptography"


def _certificate_with_cryptography(certificate, key, server_name):
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, server_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    made = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(server_name)]), critical=False)
        .sign(private, hashes.SHA256())
    )
    certificate.write_bytes(made.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def mime_types_file(nginx):
    """The mime.types beside nginx's own configuration, or None."""
    built = subprocess.run([nginx, "-V"], capture_output=True, text=True).stderr
    found = re.search(r"--conf-path=(\S+)", built)
    if found:
        candidate = Path(found.group(1)).with_name("mime.types")
        if candidate.is_file():
            return candidate
    return None


def main_configuration(prefix, site, nginx):
    """nginx.conf for the prefix: everything nginx writes stays in it; the site is included
    in the http block, after an access log and an error log that it must override."""
    prefix = Path(prefix)
    types = mime_types_file(nginx)
    mime = f"include {types};" if types else "types { text/css css; text/javascript js; }"
    # Run as root (a CI container), nginx would hand its workers to "nobody", who may not
    # enter the prefix; so they stay with the user who runs the test.
    user = "user root;" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / (kind + '_temp')};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}
worker_processes 1;
daemon off;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"};
events {{ worker_connections 1024; }}
http {{
    {mime}
    default_type application/octet-stream;
    access_log {prefix / "access.log"};
{temp}
    include {site};
}}
"""


def write_site(prefix, app_port, http_port, https_port, static_folder):
    """Render the site for loopback ports into the prefix, with a throwaway certificate;
    return the main configuration's path, or None when no certificate can be made."""
    prefix = Path(prefix)
    made = self_signed_certificate(prefix)
    if made is None:
        return None
    certificate, key = made
    (prefix / "acme").mkdir(exist_ok=True)
    site = prefix / "site.conf"
    site.write_text(
        nginx_site.render(
            server_name=SERVER_NAME,
            certificate=str(certificate),
            certificate_key=str(key),
            static_folder=static_folder,
            listen_addresses=["127.0.0.1"],
            app_address=f"127.0.0.1:{app_port}",
            acme_root=str(prefix / "acme"),
            error_log=str(prefix / "site-error.log"),
            http_port=http_port,
            https_port=https_port,
        )
    )
    configuration = prefix / "nginx.conf"
    configuration.write_text(main_configuration(prefix, site, nginx_binary()))
    return configuration


def check(nginx, prefix, configuration):
    """`nginx -t` on the configuration: (passed, what nginx said)."""
    done = subprocess.run(
        [nginx, "-t", "-p", str(prefix), "-c", str(configuration), "-e", f"{prefix}/error.log"],
        capture_output=True,
        text=True,
    )
    return done.returncode == 0, done.stderr


@contextlib.contextmanager
def running(nginx, prefix, configuration, port):
    """nginx in the foreground until the block ends; waits until `port` accepts connections."""
    process = subprocess.Popen(
        [nginx, "-p", str(prefix), "-c", str(configuration), "-e", f"{prefix}/error.log"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx stopped: {process.stderr.read()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"nginx does not answer on port {port}") from None
                time.sleep(0.05)
        yield process
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful: requests under way finish
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


@functools.cache
def unverified_tls():
    """One client TLS context for every connection, which checks no certificate: the
    certificate is a throwaway one, the tests are of nginx and the app. (A context with the
    system's authorities costs some 35 ms to make: one a request would starve the benchmark.)"""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class LoopbackHTTPS(http.client.HTTPSConnection):
    """HTTPS to nginx on 127.0.0.1, naming the site (SNI and Host) as a phone's browser does,
    from a chosen loopback address (127.0.0.0/8 is all this machine's), so that nginx sees
    each simulated phone at an address of its own."""

    def __init__(self, port, source=None, timeout=30, server_name=SERVER_NAME):
        self.tls = unverified_tls()
        super().__init__(
            server_name,
            port,
            timeout=timeout,
            context=self.tls,
            source_address=(source, 0) if source else None,
        )

    def connect(self):
        """Connect to loopback whatever the name resolves to, then speak TLS for the name."""
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout, self.source_address)
        # As http.client's own connect: it writes a request's headers and body apart, and
        # Nagle's algorithm would hold the body until nginx's delayed ACK, some 40 ms later.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
