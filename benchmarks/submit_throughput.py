"""Submissions per second through the whole stack, against the bare-SQL ceiling; form GETs.

    .venv/bin/python -m benchmarks.submit_throughput                     # SQLite
    .venv/bin/python -m benchmarks.submit_throughput \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test  # PostgreSQL

Both servers run under gunicorn with the same number of workers on loopback, one after the
other, against a fresh database holding a 20-question survey. The load comes from client
threads with keep-alive connections; each POST carries a new submission_uid, so each one
stores a response. Rate limiting is off (it would stop a benchmark from one address).
"""

import argparse
import http.client
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import urlencode

import sqlalchemy as sa

from benchmarks.seed_load import fresh_database

SURVEY = "bench-20q"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def definition():
    """A 20-question public survey: 14 likert, 2 single, a multi, a yes/no, a number, a text."""
    questions = [
        {"code": f"l{i}", "kind": "likert5", "required": True, "text": {"vi": f"Câu {i}?"}}
        for i in range(1, 15)
    ]
    options = [{"code": c, "label": {"vi": c}} for c in ("a", "b", "c", "d")]
    questions += [
        {"code": "s1", "kind": "single", "text": {"vi": "Một?"}, "options": options},
        {"code": "s2", "kind": "single", "text": {"vi": "Hai?"}, "options": options},
        {"code": "m1", "kind": "multi", "text": {"vi": "Nhiều?"}, "options": options},
        {"code": "y1", "kind": "yesno", "text": {"vi": "Có không?"}},
        {"code": "n1", "kind": "number", "min_value": 0, "max_value": 50, "text": {"vi": "Số?"}},
        {"code": "t1", "kind": "text", "text": {"vi": "Ý kiến?"}},
    ]
    return {
        "code": SURVEY,
        "audience": "public",
        "topic": "satisfaction",
        "year": 2025,
        "status": "open",
        "title": {"vi": "Khảo sát đo tải"},
        "questions": questions,
    }


def prepare(url):
    """Schema, one village and the survey, in the fresh database."""
    from flask_migrate import upgrade

    from app import create_app
    from survey.core.extensions import db
    from survey.models import Unit
    from survey.surveys.definitions import survey_from_definition

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        db.session.add(Unit(code="thon1", name="Thôn 1", adult_population=500))
        survey_from_definition(definition())
        db.session.commit()
        db.engine.dispose()


def answers(rng):
    fields = [(f"q_l{i}", str(rng.randint(1, 5))) for i in range(1, 15)]
    fields += [
        ("q_s1", rng.choice("abcd")),
        ("q_s2", rng.choice("abcd")),
        ("q_m1", "a"),
        ("q_m1", "c"),
        ("q_y1", str(rng.randint(0, 1))),
        ("q_n1", str(rng.randint(0, 50))),
        ("q_t1", "Đường làng cần sửa"),
    ]
    return fields


def serve(target, port, workers, env):
    # The worker count as WEB_CONCURRENCY, which gunicorn and the app's rate limits both read.
    env = {**env, "WEB_CONCURRENCY": str(workers)}
    command = [
        os.path.join(os.path.dirname(sys.executable), "gunicorn"),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        target,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    # Each worker imports the app (scipy among it): several starting at once on a busy
    # two-core machine take well over 30 s.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz" if target.startswith("app") else "/")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{target} did not start on port {port}")


def load(port, path, seconds, clients, method):
    """Run `clients` threads for `seconds`; return (count, errors, latencies in ms)."""
    latencies, errors = [], []
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def client(n):
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {}
        token = ""
        if method == "POST":
            # One GET per client for the session cookie and its CSRF token, as a phone does.
            conn.request("GET", path)
            page = conn.getresponse()
            html = page.read().decode()
            cookie = page.getheader("Set-Cookie", "").split(";")[0]
            found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
            token = found.group(1) if found else ""
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        mine, failed = [], 0
        while time.monotonic() < stop:
            body = None
            if method == "POST":
                body = urlencode(
                    [
                        ("csrf_token", token),
                        ("submission_uid", str(uuid.uuid4())),
                        ("unit", "thon1"),
                        *answers(rng),
                    ]
                )
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status not in (200, 303):
                failed += 1
        with lock:
            latencies.extend(mine)
            errors.append(failed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), sum(errors), latencies


def report(name, seconds, result):
    count, errors, latencies = result
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
    rate = count / seconds
    print(
        f"  {name:<28} {rate:8.0f} req/s   p50 {statistics.median(latencies):6.1f} ms   "
        f"p99 {p99:6.1f} ms   errors {errors}"
    )
    return rate


def stored_responses(url):
    """Rows in the response table: every accepted POST must have made exactly one."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT COUNT(*) FROM response")).scalar()
    finally:
        engine.dispose()


def get_form(port, args):
    """Form GETs: with wrk when installed (a C client leaves the cores to the server),
    else with the Python client."""
    path = f"/s/{SURVEY}?u=thon1"
    wrk = shutil.which("wrk")
    if wrk is None:
        report(
            "GET form (whole stack)",
            args.seconds,
            load(port, path, args.seconds, args.clients, "GET"),
        )
        return
    out = subprocess.run(
        [
            wrk,
            "-t1",
            f"-c{args.clients}",
            f"-d{int(args.seconds)}s",
            "--latency",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
    p50 = re.search(r"50%\s+(\S+)", out).group(1)
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    print(
        f"  {'GET form (whole stack, wrk)':<28} {float(rate):8.0f} req/s   p50 {p50:>8}   "
        f"p99 {p99:>8}   errors {errors.group(1) if errors else 0}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL server URL (default: SQLite file)")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
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
                FLASK_RATELIMIT_ENABLED="false",
                CEILING_DATABASE_URL=url,
                CEILING_SURVEY=SURVEY,
            )
            backend = url.split(":", 1)[0]
            print(
                f"{backend}, gunicorn {args.workers} workers, {args.clients} clients, "
                f"{args.seconds:.0f} s each"
            )
            rates = {}
            for name, target, port in (
                ("ceiling (plain SQL)", "benchmarks.ceiling_app:app", 5091),
                ("whole stack", "app:create_app()", 5092),
            ):
                server = serve(target, port, args.workers, env)
                try:
                    path = "/" if name.startswith("ceiling") else f"/s/{SURVEY}"
                    before = stored_responses(url)
                    result = load(port, path, args.seconds, args.clients, "POST")
                    rates[name] = report(f"POST {name}", args.seconds, result)
                    stored = stored_responses(url) - before
                    print(
                        f"  {'':<28} {stored} responses stored for {result[0] - result[1]}"
                        " accepted POSTs"
                    )
                    if name == "whole stack":
                        get_form(port, args)
                finally:
                    server.terminate()
                    server.wait(timeout=10)
            ratio = rates["whole stack"] / rates["ceiling (plain SQL)"]
            print(f"  whole stack / ceiling: {ratio:.0%} (goal: at least 60%)")
        finally:
            drop()


if __name__ == "__main__":
    main()
