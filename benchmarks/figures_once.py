"""How many times each dashboard figure is computed per change of the data, with N readers.

    .venv/bin/python -m benchmarks.figures_once --readers 8 --changes 5
    .venv/bin/python -m benchmarks.figures_once --readers 8 --changes 5 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        --redis-url redis://127.0.0.1:6379/14

Seeds the demo commune (`--responses`) into a fresh database (SQLite file, or a new PostgreSQL
database dropped afterwards), then starts `--workers` processes of `flask figures worker` and
`--readers` processes, each one web worker (its own app, as gunicorn's workers and other hosts
are) signed in as the Standing Committee and reading the overview and every organization's page
in a loop. Once every figure is kept, the data change `--changes` times (an audited change, as
an officer's edit is), each time after the queue has gone quiet. Prints the figures' keys, the
computations per figure, and computations per key per change (1.00: each figure computed once
per change however many readers; without REDIS_URL each reader would compute it itself). The
Redis database given (`--redis-url`, default db 14) is flushed before and after.
"""

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time

import redis

from benchmarks.seed_load import fresh_database

PASSWORD = "bench"


def _app(url, workdir, redis_url):
    os.environ["SURVEY_INSTANCE_PATH"] = workdir
    from app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "REDIS_URL": redis_url,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,  # the readers sign in with a plain POST
            "AGGREGATE_REFRESH_SECONDS": 0,  # every change is computed, not one per minute
        }
    )


def _seed(url, workdir, responses):
    from flask_migrate import upgrade

    from survey.core.extensions import db
    from survey.demo.seed import seed_demo

    app = _app(url, workdir, None)
    with app.app_context():
        upgrade()
        seed_demo(seed=1, responses=responses, password=PASSWORD)
        db.session.commit()


def _pages(app):
    import sqlalchemy as sa

    from survey.core.extensions import db
    from survey.models import Organization

    with app.app_context():
        codes = db.session.scalars(sa.select(Organization.code)).all()
    return ["/dashboard/", *(f"/dashboard/org/{code}" for code in codes)]


def reader(url, workdir, redis_url, stop, served):
    """One web worker: read every page in a loop; count answers by status."""
    app = _app(url, workdir, redis_url)
    pages = _pages(app)
    client = app.test_client()
    signed_in = client.post("/login", data={"username": "thuongtruc", "password": PASSWORD})
    if signed_in.status_code != 302 or client.get("/dashboard/").status_code == 302:
        raise SystemExit("the reader could not sign in")
    counts = {}
    while not stop.is_set():
        for page in pages:
            status = client.get(page).status_code
            counts[status] = counts.get(status, 0) + 1
    served.put(counts)


def change(url, workdir):
    """An audited change (as an officer's edit of an organization is): the data version moves."""
    import sqlalchemy as sa

    from survey.audit import trail
    from survey.core.extensions import db
    from survey.models import Organization

    app = _app(url, workdir, None)
    with app.app_context():
        organization = db.session.scalars(sa.select(Organization).limit(1)).one()
        trail.record("benchmark.change", organization)
        db.session.commit()


def quiet(client, seconds=1.5, limit=300):
    """Wait until no job has been waiting or queued for `seconds`."""
    started, calm_since = time.monotonic(), None
    while time.monotonic() - started < limit:
        busy = client.llen("rq:queue:figures") or any(client.scan_iter("figures:*:queued"))
        if busy:
            calm_since = None
        elif calm_since is None:
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since >= seconds:
            return
        time.sleep(0.1)
    raise SystemExit("the figures' queue did not go quiet")


def first_kept(client, limit=120):
    """Wait until the readers have had a figure computed."""
    started = time.monotonic()
    while not any(client.scan_iter(r"figures:\[*")):
        if time.monotonic() - started > limit:
            raise SystemExit("no figure was kept: did the readers get their pages?")
        time.sleep(0.1)


def _workers(n, url, workdir, redis_url):
    env = {
        **os.environ,
        "SURVEY_INSTANCE_PATH": workdir,
        "FLASK_SQLALCHEMY_DATABASE_URI": url,
        "FLASK_REDIS_URL": redis_url,
        "FLASK_SECRET_KEY": "bench",
    }
    command = [sys.executable, "-m", "flask", "--app", "app", "figures", "worker"]
    log = open(os.path.join(workdir, "workers.log"), "ab")  # noqa: SIM115 # kept by the workers
    return [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log) for _ in range(n)
    ]


def measure(args, url, workdir, client):
    stop, served = multiprocessing.Event(), multiprocessing.Queue()
    workers = _workers(args.workers, url, workdir, args.redis_url)
    readers = [
        multiprocessing.Process(target=reader, args=(url, workdir, args.redis_url, stop, served))
        for _ in range(args.readers)
    ]
    try:
        for process in readers:
            process.start()
        first_kept(client)
        quiet(client)  # every figure the pages read is kept
        for _ in range(args.changes):
            change(url, workdir)
            time.sleep(args.settle)  # the readers find it stale and queue its computation
            quiet(client)
        stop.set()
        counts = [served.get(timeout=120) for _ in readers]
    finally:
        stop.set()
        for process in readers:
            process.join(timeout=60)
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=60)
    return counts


def report(args, client, counts):
    keys = [k for k in client.scan_iter(r"figures:\[*") if not k.endswith(b":queued")]
    computed = {k.decode(): int(n) for k, n in client.hgetall("figures:computations").items()}
    total = sum(computed.values())
    reads = {}
    for one in counts:
        for status, n in one.items():
            reads[status] = reads.get(status, 0) + n
    print(f"readers {args.readers}, queue workers {args.workers}, changes {args.changes}")
    print(f"page reads by status: {dict(sorted(reads.items()))}")
    size = sum(client.memory_usage(k) or 0 for k in keys)
    print(f"figure keys kept: {len(keys)}, {size / 1024:.0f} KiB in Redis (MEMORY USAGE)")
    for name, n in sorted(computed.items()):
        print(f"  {name}: computed {n} times")
    per_change = total / (len(keys) * (args.changes + 1))
    print(
        f"computations per key per change (the first computation counted as one): {per_change:.2f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=2000)
    parser.add_argument("--database-url", help="PostgreSQL server URL (default: SQLite file)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--readers", type=int, default=8, help="web workers reading")
    parser.add_argument("--workers", type=int, default=2, help="`flask figures worker` processes")
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--settle", type=float, default=2.0, help="seconds after each change")
    args = parser.parse_args()
    client = redis.Redis.from_url(args.redis_url)
    client.flushdb()
    with tempfile.TemporaryDirectory() as workdir:
        url, drop = fresh_database(args.database_url, workdir)
        try:
            started = time.perf_counter()
            _seed(url, workdir, args.responses)
            print(f"seeded {args.responses} responses in {time.perf_counter() - started:.1f} s")
            counts = measure(args, url, workdir, client)
            report(args, client, counts)
        finally:
            client.flushdb()
            drop()


if __name__ == "__main__":
    main()
