"""How fast the dashboards answer on a large database, while answers keep arriving.

    .venv/bin/python -m benchmarks.dashboard_latency --responses 1000000
    .venv/bin/python -m benchmarks.dashboard_latency --responses 1000000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Seeds the demo commune with N responses (20 questions each, as benchmarks.evaluate_year) into
a fresh database, serves the app with gunicorn on loopback, signs in as the Standing
Committee, and asks the overview and every organization's page: first until every worker has
the page's figures (a worker asked the first time answers 202 and computes them behind),
then `--requests` times each from `--clients` threads while a writer stores `--rate` new
responses per second (so that the kept figures keep going out of date and are refreshed in
the background). Prints, per page, the
median and 95th percentile latency of the steady phase, and how long the first figures took.
"""

import argparse
import http.client
import os
import re
import statistics
import tempfile
import threading
import time
import uuid
from urllib.parse import urlencode

import sqlalchemy as sa

from benchmarks.evaluate_year import _in_fresh_process, _seed
from benchmarks.seed_load import fresh_database
from benchmarks.submit_throughput import serve
from survey.core.settings import with_psycopg

ORGANIZATIONS = ("mttq", "nongdan", "phunu", "doanthanhnien", "cuuchienbinh")


def sign_in(port, username="thuongtruc"):
    """A session cookie of `username` (the Standing Committee's demo account; password
    "bench")."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/login")
    page = conn.getresponse()
    html = page.read().decode()
    cookie = page.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    body = urlencode({"csrf_token": token, "username": username, "password": "bench"})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    conn.request("POST", "/login", body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise SystemExit(f"sign-in of {username} failed: {response.status}")
    return response.getheader("Set-Cookie", "").split(";")[0] or cookie


def timed_get(conn, path, cookie):
    """(milliseconds, status, whether the page showed figures older than the newest answer);
    202 is a worker saying it is computing the page's figures for the first time."""
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status not in (200, 202):
        raise SystemExit(f"{path}: {response.status}")
    return elapsed, response.status, b'data-updating="1"' in body


def until_ready(port, path, cookie):
    """Seconds until a worker answers `path` with its figures (200), asking every second."""
    started = time.perf_counter()
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        if timed_get(conn, path, cookie)[1] == 200:
            return time.perf_counter() - started
        time.sleep(1)


def writer(url, workdir, rate, stop, written):
    """Store `rate` responses per second to an open survey until `stop` is set."""
    os.environ["SURVEY_INSTANCE_PATH"] = workdir
    import sqlalchemy as sa

    from app import create_app
    from survey.core.extensions import db
    from survey.models import Survey
    from survey.responses.storing import submit_response

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        survey = db.session.scalar(
            sa.select(Survey).where(Survey.status == "open").order_by(Survey.code).limit(1)
        )
        likert = [q.code for q in survey.questions if q.kind == "likert5"]
        while not stop.wait(1 / rate):
            answers = {code: 4 for code in likert}
            submit_response(survey, answers, submission_uid=str(uuid.uuid4()))
            written.append(1)


def _counts(url):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        responses = conn.execute(sa.text("SELECT count(*) FROM response")).scalar_one()
        answers = conn.execute(sa.text("SELECT count(*) FROM answer")).scalar_one()
        year = conn.execute(sa.text("SELECT max(year) FROM survey")).scalar_one()
    engine.dispose()
    return responses, answers, year


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="PostgreSQL server URL (default: SQLite file)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--clients",
        type=int,
        default=2,
        help="concurrent readers (default: as many as workers; more measure the queue too)",
    )
    parser.add_argument("--requests", type=int, default=100, help="per page, steady phase")
    parser.add_argument("--rate", type=float, default=2.0, help="new responses per second")
    parser.add_argument("--port", type=int, default=8093)
    parser.add_argument(
        "--seeded",
        metavar="URL",
        help="use this database as it is (seeded by seed-demo with password 'bench') instead "
        "of seeding a fresh one",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        if args.seeded:
            url, drop = with_psycopg(args.seeded), lambda: None
        else:
            url, drop = fresh_database(args.database_url, workdir)
        server = None
        try:
            if args.seeded:
                responses, answers, year = _counts(url)
            else:
                responses, answers, year = _in_fresh_process(
                    _seed, url, workdir, args.responses, 20
                )
            env = dict(
                os.environ,
                SURVEY_INSTANCE_PATH=workdir,
                FLASK_SQLALCHEMY_DATABASE_URI=url,
                FLASK_SECRET_KEY="bench",
                FLASK_RATELIMIT_ENABLED="false",
            )
            server = serve("app:create_app()", args.port, args.workers, env)
            cookie = sign_in(args.port)
            pages = [f"/dashboard/?year={year}"] + [
                f"/dashboard/org/{code}?year={year}" for code in ORGANIZATIONS
            ]
            # Cold start: a worker asked for a page the first time answers 202 at once and
            # computes the page's figures behind; how long until every worker has them.
            cold = {}
            for path in pages:
                for _ in range(args.workers * 3):
                    cold.setdefault(path, []).append(until_ready(args.port, path, cookie))
            stop, written = threading.Event(), []
            write = threading.Thread(
                target=writer, args=(url, workdir, args.rate, stop, written), daemon=True
            )
            write.start()
            latencies = {path: [] for path in pages}
            stale, waits = [], []
            lock = threading.Lock()
            jobs = [path for path in pages for _ in range(args.requests)]

            def client(n):
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=600)
                for path in jobs[n :: args.clients]:
                    elapsed, status, was_stale = timed_get(conn, path, cookie)
                    with lock:
                        latencies[path].append(elapsed)
                        stale.append(was_stale)
                        waits.append(status == 202)

            started = time.monotonic()
            threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.monotonic() - started
            stop.set()
            write.join(timeout=10)
        finally:
            if server is not None:
                server.terminate()
                server.wait()
            drop()

    print(
        f"{sa.engine.make_url(url).get_backend_name()}: {responses:,} responses, "
        f"{answers:,} answers; {args.workers} workers, {args.clients} clients; "
        f"{len(written)} responses written during {seconds:.0f} s of requests; "
        f"{sum(stale)} of {len(stale)} pages showed figures older than the newest answer, "
        f"{sum(waits)} asked to come back (202)"
    )
    everything = []
    for path in pages:
        values = sorted(latencies[path])
        everything += values
        p95 = values[int(0.95 * (len(values) - 1))]
        print(
            f"  {path:<38} median {statistics.median(values):6.0f} ms  p95 {p95:6.0f} ms  "
            f"first figures after {max(cold[path]):5.1f} s"
        )
    everything.sort()
    print(
        f"  all pages: median {statistics.median(everything):.0f} ms, "
        f"p95 {everything[int(0.95 * (len(everything) - 1))]:.0f} ms"
    )


if __name__ == "__main__":
    main()
