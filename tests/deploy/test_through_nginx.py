"""The recipe end to end: gunicorn started with deploy/gunicorn.conf.py after the upgrade
unit's command, a real nginx with the site in front (a temporary prefix, loopback ports, a
throwaway certificate: deploy/throwaway_nginx.py), and requests from several loopback
addresses, each standing for one phone.

The app runs one worker with its rate limits in memory, so a limit is exact; it refuses a
request that waited over QUEUE_SECONDS. A worker is frozen (SIGSTOP) to make a queue.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy import throwaway_nginx
from deploy.throwaway_nginx import SERVER_NAME, LoopbackHTTPS
from survey.core.settings import DEFAULTS
from survey.core.static_versions import content_version
from tests.conftest import new_empty_database

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NGINX = throwaway_nginx.nginx_binary()
QUEUE_SECONDS = 3
PUBLIC_PAGE_LIMIT = 2  # a minute, per address

pytestmark = pytest.mark.skipif(
    NGINX is None or not (BIN / "gunicorn").exists(),
    reason="needs nginx (apt-get install nginx) and gunicorn beside this Python",
)


@dataclass
class Stack:
    """The running recipe: where nginx listens, gunicorn's master, nginx's prefix, the
    static folder nginx serves."""

    https_port: int
    http_port: int
    gunicorn: subprocess.Popen
    prefix: Path
    static_folder: Path


def loopback_sources_work():
    """Whether this machine lets a client connect from 127.0.0.2 (Linux does: all of
    127.0.0.0/8 is the loopback interface's)."""
    with socket.socket() as listener, socket.socket() as client:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        try:
            client.bind(("127.0.0.2", 0))
            client.connect(listener.getsockname())
        except OSError:
            return False
    return True


def wait_for(port, path, deadline_seconds=60):
    """Until `path` answers on 127.0.0.1:port over plain HTTP."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            conn.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, static_folder):
    """The upgraded database, gunicorn, and nginx in front of it, for this module's tests."""
    if throwaway_nginx.certificate_maker() is None:
        pytest.skip("neither the cryptography package nor openssl is there to make a certificate")
    if not loopback_sources_work():
        pytest.skip("this machine does not let a client connect from 127.0.0.2")
    folder = tmp_path_factory.mktemp("recipe")
    app_port, http_port, https_port = (throwaway_nginx.free_port() for _ in range(3))
    with new_empty_database(folder / "survey.sqlite") as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")} | {
            "FLASK_SQLALCHEMY_DATABASE_URI": url,
            "FLASK_SECRET_KEY": "recipe-test",
            "FLASK_TRUSTED_PROXIES": "1",
            "FLASK_PUBLIC_BASE_URL": f"https://{SERVER_NAME}",
            "FLASK_RATELIMIT_STORAGE_URI": "memory://",
            "FLASK_PUBLIC_PAGE_RATE_LIMIT": f"{PUBLIC_PAGE_LIMIT} per minute",
            "FLASK_QUEUE_TIMEOUT_SECONDS": str(QUEUE_SECONDS),
            "SURVEY_INSTANCE_PATH": str(folder / "instance"),
            "WEB_CONCURRENCY": "1",
        }
        # What commune-survey-upgrade.service runs, then what commune-survey.service runs.
        subprocess.run(
            [BIN / "flask", "--app", "app", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        log = (folder / "gunicorn.log").open("w")
        gunicorn = subprocess.Popen(
            [BIN / "gunicorn", "-c", "deploy/gunicorn.conf.py"]
            + ["--bind", f"127.0.0.1:{app_port}", "app:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            wait_for(app_port, "/healthz")
            prefix = folder / "nginx"
            prefix.mkdir()
            configuration = throwaway_nginx.write_site(
                prefix, app_port, http_port, https_port, str(static_folder)
            )
            with throwaway_nginx.running(NGINX, prefix, configuration, https_port):
                yield Stack(https_port, http_port, gunicorn, prefix, static_folder)
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
            log.close()


def get(stack, path, source="127.0.0.1", headers=None, method="GET", body=None, timeout=30):
    """(status, headers, body bytes) of one request through nginx over HTTPS."""
    conn = LoopbackHTTPS(stack.https_port, source=source, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response, response.read()
    finally:
        conn.close()


def worker_pids(master):
    """gunicorn's worker processes: the master's children."""
    with open(f"/proc/{master}/task/{master}/children") as f:
        return [int(pid) for pid in f.read().split()]


@contextmanager
def frozen_workers(stack):
    """Every gunicorn worker stopped until the block ends: requests queue in front of them."""
    pids = worker_pids(stack.gunicorn.pid)
    assert pids
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def test_the_health_check_answers_through_nginx(stack):
    status, response, body = get(stack, "/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok", "database": "ok"}
    assert "default-src 'self'" in response.getheader("Content-Security-Policy")  # the app's


def test_static_files_come_from_nginx_while_the_app_is_frozen(stack):
    site_css = stack.static_folder / "css" / "site.css"
    stat = site_css.stat()
    version = content_version(str(site_css), stat.st_mtime_ns, stat.st_size)
    with frozen_workers(stack):
        status, response, body = get(stack, f"/static/css/site.css?v={version}", timeout=5)
        assert status == 200 and body == site_css.read_bytes()
        assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
        assert response.getheader("Content-Type") == "text/css"
        status, response, _ = get(stack, "/static/js/survey-form.js", timeout=5)
        assert status == 200 and response.getheader("Cache-Control") == "no-cache"
    assert get(stack, "/healthz")[0] == 200


def test_the_app_counts_the_address_nginx_saw_not_a_forged_one(stack):
    """Two phones; the first sends a new forged X-Forwarded-For each time, the second forges
    the first one's address. Each is counted at its own address, and only there."""
    first = [
        get(stack, "/r/ABCDEFGH", source="127.0.0.2", headers={"X-Forwarded-For": f"10.9.9.{n}"})[0]
        for n in range(PUBLIC_PAGE_LIMIT + 1)
    ]
    assert first[-1] == 429 and 429 not in first[:-1]
    forging = {"X-Forwarded-For": "127.0.0.2"}
    assert get(stack, "/r/ABCDEFGH", source="127.0.0.3", headers=forging)[0] != 429


def test_only_a_request_that_waited_for_a_worker_is_refused(stack):
    """nginx stamps when each request came: one sent with a forged old stamp is served while
    the queue is short; one that waited behind a frozen worker longer than
    QUEUE_TIMEOUT_SECONDS gets 503 and Retry-After."""
    forged = {"X-Request-Start": "t=1000000000.000"}
    assert get(stack, "/healthz", headers=forged)[0] == 200

    answers = []
    with frozen_workers(stack):
        waiting = threading.Thread(target=lambda: answers.append(get(stack, "/healthz")))
        waiting.start()
        time.sleep(QUEUE_SECONDS + 1.5)
    waiting.join(timeout=30)
    [(status, response, _)] = answers
    assert status == 503 and response.getheader("Retry-After") == "30"
    assert get(stack, "/healthz")[0] == 200


def test_http_sends_to_https_and_an_unknown_name_gets_no_certificate(stack):
    conn = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=10)
    conn.request("GET", "/s/ks-1?u=thon1", headers={"Host": "203.0.113.7"})
    response = conn.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == (
        f"https://{SERVER_NAME}:{stack.https_port}/s/ks-1?u=thon1"
    )
    conn.close()
    stranger = LoopbackHTTPS(stack.https_port, server_name="other.example", timeout=10)
    with pytest.raises(OSError):
        stranger.request("GET", "/healthz")
    stranger.close()


def test_a_body_over_the_apps_limit_stops_at_nginx(stack):
    too_large = b"x" * (DEFAULTS["MAX_CONTENT_LENGTH"] + 1)
    status, response, _ = get(stack, "/s/ks-1", method="POST", body=too_large)
    assert status == 413
    assert response.getheader("Content-Security-Policy") is None  # nginx's answer, not the app's


def test_an_evidence_upload_may_be_larger_and_is_proxied_as_the_rest(stack):
    """The upload page alone takes a body of an evidence file's size; it reaches the app
    (which refuses this one, without a form's CSRF token, with its own 400 page).

    The body is a form with a file, as a browser sends it, so the app reads all of it before
    it answers: a body the app left unread would make gunicorn close the connection while
    nginx was still sending, and nginx would answer 502 (its busy page) instead of the app."""
    boundary = "commune-survey-test"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="anh.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
        + b"x" * (DEFAULTS["MAX_CONTENT_LENGTH"] * 3)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    form = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    status, response, _ = get(
        stack, "/manage/tasks/1/evidence", method="POST", body=body, headers=form
    )
    assert status == 400
    assert response.getheader("Content-Security-Policy")  # the app's answer, not nginx's
    too_large = b"x" * (12 * 1024 * 1024)
    assert get(stack, "/manage/tasks/1/evidence", method="POST", body=too_large)[0] == 413
    assert get(stack, "/manage/tasks/1/evidence/x", method="POST", body=body)[0] == 413


def test_no_log_keeps_a_visitors_address(stack):
    """Requests nginx answers with an error of its own (a missing file, a body too large) and
    requests it passes on; then no file nginx wrote holds the visitor's address."""
    visitor = "127.0.0.4"
    assert get(stack, "/static/css/no-such-file.css", source=visitor)[0] == 404
    assert get(stack, "/healthz", source=visitor)[0] == 200
    too_large = b"x" * (DEFAULTS["MAX_CONTENT_LENGTH"] + 1)
    assert get(stack, "/s/ks-1", source=visitor, method="POST", body=too_large)[0] == 413
    written = [path for path in stack.prefix.rglob("*") if path.is_file()]
    assert any(path.name == "nginx.pid" for path in written)  # the search looks where nginx writes
    for path in written:
        assert visitor.encode() not in path.read_bytes(), path


def test_while_the_app_is_down_nginx_answers_as_the_app_does_when_busy(tmp_path, static_folder):
    """A restart leaves nothing behind nginx for a moment: the phone gets 503 and
    Retry-After, on which the form's script keeps the answers and sends them again."""
    if throwaway_nginx.certificate_maker() is None:
        pytest.skip("neither the cryptography package nor openssl is there to make a certificate")
    nobody_there, http_port, https_port = (throwaway_nginx.free_port() for _ in range(3))
    configuration = throwaway_nginx.write_site(
        tmp_path, nobody_there, http_port, https_port, str(static_folder)
    )
    with throwaway_nginx.running(NGINX, tmp_path, configuration, https_port):
        down = Stack(https_port, http_port, None, tmp_path, static_folder)
        status, response, body = get(down, "/s/ks-1", method="POST", body=b"q_hl=3")
    assert status == 503 and response.getheader("Retry-After") == "30"
    assert "Tạm thời bận" in body.decode()
