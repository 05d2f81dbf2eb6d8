"""Sustained public submissions as phones send them: nothing lost, nothing counted twice.

    .venv/bin/python -m benchmarks.submit_load \\
        --database-url postgresql://postgres@127.0.0.1:5432/test --rate 80 --seconds 300
    .venv/bin/python -m benchmarks.submit_load --rate 20,40,80,160 --seconds 60   # SQLite ramp
    .venv/bin/python -m benchmarks.submit_load --database-url ... --rate 40 --seconds 120 \\
        --restart-postgresql-at 40                                  # a fault in the middle
    .venv/bin/python -m benchmarks.submit_load --through-nginx --database-url ... --rate 40

The server is the production set-up on loopback: gunicorn with 4 workers, CSRF on, rate limits
on and kept in Redis, behind a (pretended) reverse proxy that names each phone's address and
stamps when each request arrived (so requests that waited over QUEUE_TIMEOUT_SECONDS get 503).
With --through-nginx that proxy is a real nginx with the production site (deploy/): the phones
speak HTTPS to it, each from a loopback address of its own (127.1.x.y), which nginx passes on
as X-Forwarded-For, and nginx stamps the arrival time.

Phones arrive at random (Poisson) at the given rate, each from an address drawn from a pool
(carrier NAT: several phones share one). A phone opens the form (GET: cookie, CSRF token,
submission_uid), then sends its 20 answers (POST). It acts as the form's JavaScript does: on
303 it has its receipt; on 503 or 429 it waits as Retry-After says and sends the same answers
again; when the connection fails or no answer comes within 30 s, it waits 5 s and sends them
again. The run ends when every phone has its receipt (or gave up after 20 tries).

Then the database is read: every phone's submission_uid must be stored exactly once (as its
digest), with all 21 answer rows, and the receipt the phone was given among the receipts kept:
lost, duplicated and half-written responses are counted and must be zero. Latency is the
time of one request, p50 and p99.
"""

import argparse
import contextlib
import http.client
import os
import random
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import sqlalchemy as sa

from benchmarks.seed_load import fresh_database
from benchmarks.submit_throughput import SURVEY, answers, prepare, serve
from deploy import nginx_site, throwaway_nginx
from survey.responses.submission import uid_digest

ANSWER_ROWS = 21  # per submission: 14 likert, 2 single, 2 options of a multi, yes/no, number, text
CLIENT_TIMEOUT = 30  # seconds, as the form's JavaScript waits before keeping answers on the phone
NETWORK_RETRY = 5  # seconds before resending after a failed connection
MAX_TRIES = 20
APP_PORT = 5093


class Direct:
    """Straight to gunicorn, each request as a reverse proxy would pass it on: the phone's
    address in X-Forwarded-For, the arrival stamped in X-Request-Start."""

    name = "straight to gunicorn (a pretended proxy's headers)"

    def addresses(self, count):
        """The phones' addresses, as the pretended proxy names them."""
        return [f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}" for n in range(1, count + 1)]

    def connection(self, address):
        """A connection to gunicorn itself."""
        return http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=CLIENT_TIMEOUT)

    def headers(self, address):
        """What the proxy would add to the phone's request."""
        # Stamped as the reverse proxy stamps what it passes on (survey/core/load_shedding.py).
        return {"X-Forwarded-For": address, "X-Request-Start": f"t={time.time():.3f}"}


class ThroughNginx:
    """Through nginx with the production site, over HTTPS; nginx sees each phone at its own
    loopback address and says so to the app itself."""

    name = "through nginx (deploy/nginx-site.conf.in, HTTPS)"

    def __init__(self, https_port):
        self.https_port = https_port

    def addresses(self, count):
        """The phones' addresses: loopback ones, which the client connects from."""
        return [f"127.1.{n >> 8 & 255}.{n & 255}" for n in range(1, count + 1)]

    def connection(self, address):
        """An HTTPS connection to nginx from the phone's own address."""
        return throwaway_nginx.LoopbackHTTPS(self.https_port, address, CLIENT_TIMEOUT)

    def headers(self, address):
        """Nothing: nginx names the address and stamps the arrival itself."""
        return {}


class Tally:
    """What the phones saw, shared between their threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = Counter()  # (method, status or error name) -> count
        self.latency = {"GET": [], "POST": []}  # ms, one per completed request
        self.receipts = {}  # submission_uid -> receipt
        self.gave_up = 0
        self.retries = 0
        self.lag = []  # s between a phone's planned arrival and its start (generator health)
        self.first_success_after = {}  # label -> monotonic time of the first 303 after it

    def record(self, method, status, started):
        with self.lock:
            self.statuses[(method, status)] += 1
            if isinstance(status, int):
                self.latency[method].append((time.perf_counter() - started) * 1000)


def request(front, address, method, path, body=None, headers=None):
    """(status, headers, body text), or raises OSError / http.client errors."""
    conn = front.connection(address)
    try:
        conn.request(method, path, body=body, headers=(headers or {}) | front.headers(address))
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


def phone(front, address, rng, tally, planned):
    """One person: open the form, send the answers until a receipt comes back."""
    tally.lag.append(time.monotonic() - planned)
    path = f"/s/{SURVEY}?u=thon1"
    page = persist(tally, front, address, "GET", path, None, {}, 200)
    if page is None:
        return
    headers, html = page
    fields = {
        name: re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)
        for name in ("csrf_token", "submission_uid", "started")
    }
    body = urlencode([*fields.items(), *answers(rng)])
    cookie = headers.get("Set-Cookie", "").split(";")[0]
    form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    sent = persist(tally, front, address, "POST", path, body, form, 303)
    if sent is None:
        return
    with tally.lock:
        tally.receipts[fields["submission_uid"]] = sent[0]["Location"].rsplit("/", 1)[1]
        for label, seen in list(tally.first_success_after.items()):
            if seen is None:
                tally.first_success_after[label] = time.monotonic()


def persist(tally, front, address, method, path, body, headers, success):
    """Send until the `success` status comes: again after Retry-After on 503 or 429, after
    NETWORK_RETRY when the connection fails. (headers, text), or None when the phone gives up
    (another status, or MAX_TRIES)."""
    for attempt in range(MAX_TRIES):
        if attempt:
            with tally.lock:
                tally.retries += 1
        started = time.perf_counter()
        try:
            status, answer_headers, text = request(front, address, method, path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            tally.record(method, type(error).__name__, started)
            time.sleep(NETWORK_RETRY)
            continue
        tally.record(method, status, started)
        if status == success:
            return answer_headers, text
        if status not in (429, 503):
            break  # a failure the phone cannot mend
        time.sleep(retry_after(answer_headers))
    with tally.lock:
        tally.gave_up += 1
    return None


def retry_after(headers):
    try:
        return max(1, int(headers.get("Retry-After", "30")))
    except ValueError:
        return 30


def arrivals(rate, seconds, seed):
    """Planned start times (s from now) of a Poisson stream of `rate` phones a second."""
    rng = random.Random(seed)
    at, times = 0.0, []
    while True:
        at += rng.expovariate(rate)
        if at >= seconds:
            return times
        times.append(at)


def run_step(front, rate, seconds, tally, addresses, seed, fault=None):
    """Send a Poisson stream of phones for `seconds`; wait until every phone is done."""
    rng = random.Random(seed)
    pool = front.addresses(addresses)
    start = time.monotonic()
    fault_thread = None
    # Phones told to come back in 30 s sleep in their threads meanwhile: room for them all.
    with ThreadPoolExecutor(max_workers=64 + int(rate * 40)) as executor:
        for n, offset in enumerate(arrivals(rate, seconds, seed)):
            planned = start + offset
            if fault and fault_thread is None and offset >= fault[0]:
                fault_thread = threading.Thread(target=fault[1], daemon=True)
                fault_thread.start()
            delay = planned - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            executor.submit(phone, front, rng.choice(pool), random.Random(n), tally, planned)
    if fault_thread is not None:
        fault_thread.join()
    return time.monotonic() - start


def check_database(url, tally):
    """Lost, duplicated, half-written and mismatched responses, from the rows themselves: a
    response keeps the digest of its submission id, and the receipts are kept apart."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT r.submission_uid, COUNT(a.id) FROM response r"
                    " LEFT JOIN answer a ON a.response_id = r.id"
                    " GROUP BY r.id, r.submission_uid"
                )
            ).all()
            receipts = set(conn.scalars(sa.text("SELECT code FROM receipt")))
    finally:
        engine.dispose()
    stored = Counter(uid for uid, _ in rows)
    sent = {uid_digest(uid): receipt for uid, receipt in tally.receipts.items()}
    return {
        "stored": len(rows),
        "lost": sum(1 for uid in sent if uid not in stored),
        "duplicated": sum(count - 1 for count in stored.values() if count > 1),
        "half_written": sum(1 for _, n in rows if n != ANSWER_ROWS),
        "wrong_receipt": sum(1 for r in sent.values() if r not in receipts),
        "stored_without_receipt": sum(1 for uid in stored if uid not in sent)
        + max(0, len(receipts) - len(set(sent.values()))),
    }


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def report(rate, elapsed, seconds, tally, checked):
    phones = len(tally.lag)
    posts = tally.latency["POST"]
    gets = tally.latency["GET"]
    statuses = ", ".join(f"{m} {s}: {n}" for (m, s), n in sorted(tally.statuses.items(), key=str))
    print(f"  rate {rate:g}/s for {seconds:g} s: {phones} phones, done after {elapsed:.0f} s")
    print(f"    responses: {statuses}")
    print(
        f"    POST p50 {statistics.median(posts) if posts else float('nan'):.0f} ms,"
        f" p99 {percentile(posts, 0.99):.0f} ms;  GET p50"
        f" {statistics.median(gets) if gets else float('nan'):.0f} ms,"
        f" p99 {percentile(gets, 0.99):.0f} ms;  resent {tally.retries},"
        f" gave up {tally.gave_up};  generator lag p99 {percentile(tally.lag, 0.99):.2f} s"
    )
    print(
        f"    receipts {len(tally.receipts)}, stored {checked['stored']}: lost"
        f" {checked['lost']}, duplicated {checked['duplicated']}, half-written"
        f" {checked['half_written']}, wrong receipt {checked['wrong_receipt']}, stored without"
        f" a receipt {checked['stored_without_receipt']}"
    )
    # Failures: any 5xx but the 503 that asks to come back, and any phone left without a receipt.
    server_errors = sum(
        n for (_, s), n in tally.statuses.items() if isinstance(s, int) and s >= 500 and s != 503
    )
    return server_errors + tally.gave_up


def restart_postgresql(tally, command):
    """Restart the server now; note when the first response after it is stored."""

    def fault():
        print(f"  -- restarting PostgreSQL: {' '.join(command)}")
        began = time.monotonic()
        subprocess.run(command, check=True)
        back = time.monotonic()
        with tally.lock:
            tally.first_success_after["restart"] = None
        print(f"  -- PostgreSQL was down for {back - began:.1f} s")
        tally.restart = (began, back)

    return fault


def run_steps(front, url, args):
    """Each rate of the ramp in turn, each checked against the database; the failures."""
    failures = 0
    for step, rate in enumerate(float(r) for r in args.rate.split(",")):
        tally = Tally()
        fault = None
        if args.restart_postgresql_at is not None:
            command = shlex.split(args.restart_command)
            fault = (args.restart_postgresql_at, restart_postgresql(tally, command))
        elapsed = run_step(front, rate, args.seconds, tally, args.addresses, step, fault)
        checked = check_database(url, tally)
        failures += report(rate, elapsed, args.seconds, tally, checked)
        failures += sum(checked[k] for k in checked if k != "stored")
        if fault is not None and hasattr(tally, "restart"):
            first = tally.first_success_after.get("restart")
            began, back = tally.restart
            print(
                f"    first response stored {first - back:.2f} s after PostgreSQL was back"
                if first
                else "    no response stored after the restart"
            )
        # The next step starts from an empty table, so each step checks its own.
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM answer"))
            conn.execute(sa.text("DELETE FROM response_criterion"))
            conn.execute(sa.text("DELETE FROM response"))
        engine.dispose()
    return failures


@contextlib.contextmanager
def front_of_the_app(through_nginx, workdir):
    """Where the phones send their requests: gunicorn itself, or nginx with the production
    site in front of it (started here, stopped at the end)."""
    if not through_nginx:
        yield Direct()
        return
    nginx = throwaway_nginx.nginx_binary()
    if nginx is None:
        raise SystemExit("--through-nginx: nginx is not installed (apt-get install nginx)")
    prefix = os.path.join(workdir, "nginx")
    os.mkdir(prefix)
    https_port = throwaway_nginx.free_port()
    configuration = throwaway_nginx.write_site(
        prefix, APP_PORT, throwaway_nginx.free_port(), https_port, nginx_site.app_static_folder()
    )
    if configuration is None:
        raise SystemExit("--through-nginx: neither cryptography nor openssl makes a certificate")
    with throwaway_nginx.running(nginx, prefix, configuration, https_port):
        yield ThroughNginx(https_port)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL server URL (default: SQLite file)")
    parser.add_argument("--rate", default="80", help="phones a second; a list makes a ramp")
    parser.add_argument("--seconds", type=float, default=300, help="per rate")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379", help="rate-limit store")
    parser.add_argument("--addresses", type=int, default=2000, help="distinct phone addresses")
    parser.add_argument("--restart-postgresql-at", type=float, help="seconds into the run")
    parser.add_argument(
        "--restart-command",
        default="pg_ctlcluster --skip-systemctl-redirect 15 main restart",
        help="how to restart PostgreSQL on this machine",
    )
    parser.add_argument(
        "--through-nginx",
        action="store_true",
        help="send the phones through a real nginx with deploy/'s site (HTTPS)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        os.environ["SURVEY_INSTANCE_PATH"] = workdir
        url, drop = fresh_database(args.database_url, workdir)
        try:
            prepare(url)
            env = dict(
                os.environ,
                FLASK_SQLALCHEMY_DATABASE_URI=url,
                FLASK_SECRET_KEY="bench",
                FLASK_RATELIMIT_STORAGE_URI=args.redis,
                FLASK_RATELIMIT_KEY_PREFIX=f"bench-{uuid.uuid4().hex}",
                FLASK_TRUSTED_PROXIES="1",
            )
            server = serve("app:create_app()", APP_PORT, args.workers, env)
            try:
                with front_of_the_app(args.through_nginx, workdir) as front:
                    backend = url.split(":", 1)[0]
                    limit = os.environ.get("FLASK_SUBMIT_RATE_LIMIT", "30 per minute")
                    print(
                        f"{backend}, gunicorn {args.workers} workers, {front.name}, rate limits"
                        f" in {args.redis} ({limit} per address, {args.addresses} addresses)"
                    )
                    failures = run_steps(front, url, args)
            finally:
                server.terminate()
                server.wait(timeout=10)
        finally:
            drop()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
