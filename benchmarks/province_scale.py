"""What a province of communes costs on one PostgreSQL: seeding, evaluations, dashboards.

    nice -n 19 .venv/bin/python -m benchmarks.province_scale --communes 100 \\
        --responses 1000000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        [--redis-url redis://127.0.0.1:6379/7]

A new database is created on the server the URL names and dropped afterwards (`--keep` keeps
it and prints its URL; `--seeded URL` measures such a database again without seeding). Into it:
`--communes` communes (`create_commune`), each seeded with the demo commune's villages,
organizations, officers and surveys inside its `commune_scope` (survey codes and usernames
prefixed with the commune's code), questionnaires lengthened to 20 questions so that a response
holds about 20 answers; `--responses` in all, spread over the communes (sizes drawn lognormal,
every tenth commune small) and over the demo's years. Then, each in a fresh process and with
the production's DATABASE_ROLE (so the row-level security policies apply):

- one commune-year: `evaluate_year` of the latest year for the largest and the median commune,
  median of `--repeat` runs, with the process's peak memory (ru_maxrss);
- the province-year: every commune's `evaluate_year` in turn in one process (a worker's time);
- the province page's services across communes (tiers, satisfaction shrunk, trend);
- the dashboards under gunicorn (`--workers`): the largest commune's overview and an
  organization's page as its admin, the province page as a province_viewer, asked by
  `--clients` threads (one page after another; `--mixed`: all together) while `--writers`
  processes submit the public form (/s/<code>); with `--redis-url` the figures are kept in
  Redis and computed by `--figure-workers` processes of `flask figures worker` (as deploy/
  runs them), whose computations are counted.
"""

import argparse
import http.client
import multiprocessing
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import urlencode

import sqlalchemy as sa

from benchmarks.dashboard_latency import sign_in, timed_get, until_ready
from benchmarks.evaluate_year import _in_fresh_process
from benchmarks.seed_load import fresh_database
from benchmarks.submit_throughput import ROOT, serve
from survey.core.settings import with_psycopg

ROLE = "survey_app"  # the production's DATABASE_ROLE (deploy/commune-survey.env.example)
PASSWORD = "bench"
VIEWER = "province-viewer"
ORGANIZATION = "mttq"
SMALL_EVERY = 10  # every tenth commune is a small one


def _app(url, workdir, role=ROLE):
    os.environ["SURVEY_INSTANCE_PATH"] = workdir
    from app import create_app

    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "DATABASE_ROLE": role}
    return create_app(config)


def commune_sizes(communes, responses, seed):
    """Responses per commune: lognormal sizes, every tenth commune a small one (3% of a
    typical one), summing to `responses`."""
    rng = random.Random(seed)
    weights = [
        rng.lognormvariate(0, 0.5) * (0.03 if n % SMALL_EVERY == SMALL_EVERY - 1 else 1)
        for n in range(communes)
    ]
    whole = sum(weights)
    return [max(1, round(responses * w / whole)) for w in weights]


def _seed(url, workdir, communes, responses, seed, queue):
    """Make and seed every commune; (seconds, analyze seconds, responses, answers, year)."""
    from flask_migrate import upgrade

    from survey.commune.tenants import create_commune
    from survey.core.extensions import db
    from survey.core.tenancy import across_communes, commune_scope
    from survey.demo.seed import seed_demo
    from survey.models import User

    app = _app(url, workdir, role=None)  # the tables' owner seeds, as `flask seed-demo` does
    with app.app_context():
        upgrade()
        taken, added, answers = set(), 0, 0
        started = time.perf_counter()
        for n, size in enumerate(commune_sizes(communes, responses, seed), 1):
            code = f"x{n:03d}"
            with across_communes():
                commune_id = create_commune(code, f"Xã Đo tải {n}", province="Tỉnh Đo tải").id
                db.session.commit()
            with commune_scope(commune_id):
                result = seed_demo(
                    seed=seed + n,
                    responses=size,
                    password=PASSWORD,
                    min_questions=20,
                    prefix=f"{code}-",
                    receipts=taken,
                )
                db.session.commit()
            db.session.remove()
            added, answers = added + result.responses, answers + result.answers
            print(f"  seeded {code}: {result.responses:,} responses", flush=True)
        with across_communes():
            viewer = User(username=VIEWER, role="province_viewer", full_name="Ban Thường trực")
            viewer.set_password(PASSWORD)
            db.session.add(viewer)
            db.session.commit()
        seconds = time.perf_counter() - started
        analyzed = time.perf_counter()
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        analyze = time.perf_counter() - analyzed
        year = db.session.scalar(sa.text("SELECT max(year) FROM survey"))
        db.engine.dispose()
    queue.put((seconds, analyze, added, answers, year))


def _communes(url):
    """(id, code, responses of the latest year) of every commune, and the latest year."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        year = conn.execute(sa.text("SELECT max(year) FROM survey")).scalar_one()
        rows = conn.execute(
            sa.text(
                "SELECT c.id, c.code, count(r.id) FROM commune c"
                " LEFT JOIN survey s ON s.commune_id = c.id AND s.year = :year"
                " LEFT JOIN response r ON r.survey_id = s.id"
                " GROUP BY c.id, c.code ORDER BY c.code"
            ),
            {"year": year},
        ).all()
        totals = conn.execute(
            sa.text("SELECT (SELECT count(*) FROM response), (SELECT count(*) FROM answer)")
        ).one()
    engine.dispose()
    return [tuple(r) for r in rows], year, tuple(totals)


def _evaluate_one(url, workdir, commune_id, year, queue):
    from survey.core.tenancy import commune_scope
    from survey.ratings.evaluation import evaluate_year

    app = _app(url, workdir)
    with app.app_context(), commune_scope(commune_id):
        started = time.perf_counter()
        evaluation = evaluate_year(year)
        elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((elapsed, peak_mb, len(evaluation.results)))


def _evaluate_province(url, workdir, commune_ids, year, queue):
    """Every commune's year in turn: (wall seconds, CPU seconds, slowest, peak MB)."""
    from survey.core.extensions import db
    from survey.core.tenancy import commune_scope
    from survey.ratings.evaluation import evaluate_year

    app = _app(url, workdir)
    with app.app_context():
        before = resource.getrusage(resource.RUSAGE_SELF)
        started, slowest = time.perf_counter(), 0.0
        for commune_id in commune_ids:
            one = time.perf_counter()
            with commune_scope(commune_id):
                evaluate_year(year)
                db.session.remove()
            slowest = max(slowest, time.perf_counter() - one)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    queue.put((elapsed, cpu, slowest, after.ru_maxrss / 1024))


def _province_services(url, workdir, year, repeat, queue):
    """Per service of the province page, across communes: (first call's seconds in a fresh
    process, median seconds of `repeat` calls after it)."""
    from survey.core.tenancy import across_communes
    from survey.province.overview import (
        satisfaction_by_commune,
        satisfaction_trend,
        tiers_by_commune,
    )

    app = _app(url, workdir)
    k = app.config["SUPPRESSION_K"]
    timings = {}
    with app.app_context(), across_communes():
        for name, call in (
            ("satisfaction_by_commune", lambda: satisfaction_by_commune(year, k)),
            ("tiers_by_commune", lambda: tiers_by_commune(year)),
            ("satisfaction_trend", lambda: satisfaction_trend(year, k)),
        ):
            runs = []
            for _ in range(repeat + 1):
                started = time.perf_counter()
                call()
                runs.append(time.perf_counter() - started)
            timings[name] = (runs[0], statistics.median(runs[1:]))
    queue.put(timings)


def form_answers(html, rng):
    """The public form's answers as a person gives them: a choice for every radio and
    checkbox question (likert mostly 4 or 5), a small number; free texts left empty."""
    chosen = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="(q_[^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or not kind:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        chosen.setdefault((name.group(1), kind.group(1)), []).append(value and value.group(1))
    fields = []
    for (name, kind), values in chosen.items():
        if kind in ("radio", "checkbox"):
            picks = [v for v in values if v in ("4", "5")] or values
            fields.append((name, rng.choice(picks)))
        elif kind == "number":
            fields.append((name, "1"))
    return fields


def writer(port, path, rate, stop, counts):
    """Open the public form and submit it, `rate` times a second, until `stop` is set;
    counts[0] stored (303), counts[1] refused or failed."""
    rng = random.Random(os.getpid())
    while not stop.wait(1 / rate):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", path)
            page = conn.getresponse()
            html = page.read().decode()
            cookie = page.getheader("Set-Cookie", "").split(";")[0]
            hidden = {
                name: re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)
                for name in ("csrf_token", "submission_uid", "started")
            }
            body = urlencode([*hidden.items(), *form_answers(html, rng)])
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
            conn.request("POST", path, body=body, headers=headers)
            sent = conn.getresponse()
            sent.read()
            ok = sent.status == 303
        except (OSError, http.client.HTTPException, AttributeError):
            ok = False
        with counts.get_lock():
            counts[0 if ok else 1] += 1


def _read_pages(port, pages, clients, requests):
    """Ask each (path, cookie) `requests` times from `clients` threads: path -> ms list, and
    path -> how many answered 202."""
    latencies = {path: [] for path, _cookie in pages}
    waits = dict.fromkeys(latencies, 0)  # 202: come back, the figures are being computed
    lock = threading.Lock()
    jobs = [page for page in pages for _ in range(requests)]
    random.Random(1).shuffle(jobs)

    def client(n):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        for path, cookie in jobs[n::clients]:
            elapsed, status, _stale = timed_get(conn, path, cookie)
            with lock:
                latencies[path].append(elapsed)
                waits[path] += status == 202

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, waits


def _figure_workers(args, env):
    """`--figure-workers` processes of `flask figures worker` (with --redis-url), as deploy/
    runs them beside gunicorn; none without Redis (each web worker computes its own)."""
    if not args.redis_url:
        return []
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    command = [sys.executable, "-m", "flask", "--app", "app", "figures", "worker"]
    return [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        for _ in range(args.figure_workers)
    ]


def _computations(args):
    """Computations of the dashboards' figures the queue workers counted, and forget them."""
    if not args.redis_url:
        return None
    import redis

    client = redis.Redis.from_url(args.redis_url)
    counted = sum(int(n) for n in client.hgetall("figures:computations").values())
    client.flushdb()
    return counted


def _dashboards(url, workdir, code, year, args):
    """Per page: (latencies, 202 answers, first figures after s); and the writers' (stored,
    failed, seconds), and the figures computed by the queue workers (None without Redis)."""
    env = dict(
        os.environ,
        SURVEY_INSTANCE_PATH=workdir,
        FLASK_SQLALCHEMY_DATABASE_URI=url,
        FLASK_SECRET_KEY="bench",
        FLASK_RATELIMIT_ENABLED="false",
        FLASK_DATABASE_ROLE=ROLE,
    )
    if args.redis_url:
        env["FLASK_REDIS_URL"] = args.redis_url
    helpers = _figure_workers(args, env)
    server = serve("app:create_app()", args.port, args.workers, env)
    context = multiprocessing.get_context("spawn")
    stop, counts, writers = context.Event(), context.Array("i", 2), []
    try:
        admin, viewer = sign_in(args.port, f"{code}-vanphong"), sign_in(args.port, VIEWER)
        pages = [
            (f"/dashboard/?year={year}", admin),
            (f"/dashboard/org/{ORGANIZATION}?year={year}", admin),
            (f"/province/{year}", viewer),
        ]
        cold = {
            path: max(until_ready(args.port, path, c) for _ in range(args.workers * 3))
            for path, c in pages
        }
        form = f"/s/{code}-hailong-{ORGANIZATION}-{year}?u=thon1"
        for _ in range(args.writers):
            process = context.Process(
                target=writer, args=(args.port, form, args.write_rate, stop, counts)
            )
            process.start()
            writers.append(process)
        started = time.monotonic()
        latencies, waits = {}, {}
        # One page at a time (its p95 is its own: a slow page holds workers the others
        # would wait for), or all mixed (--mixed).
        for group in [pages] if args.mixed else [[page] for page in pages]:
            asked, came_back = _read_pages(args.port, group, args.clients, args.requests)
            latencies |= asked
            waits |= came_back
        seconds = time.monotonic() - started
    finally:
        stop.set()
        for process in writers:
            process.join(timeout=30)
        for process in (server, *helpers):
            process.terminate()
            process.wait()
    pages = {p: (latencies[p], waits[p], cold[p]) for p, _c in pages}
    return pages, (counts[0], counts[1], seconds), _computations(args)


def percentile(values, share):
    values = sorted(values)
    return values[int(share * (len(values) - 1))]


def _measure(url, workdir, args):
    """Every figure but the seeding's, as printable rows."""
    communes, year, (responses, answers) = _communes(url)
    by_size = sorted(communes, key=lambda c: c[2])
    largest, median = by_size[-1], by_size[len(by_size) // 2]
    rows = [
        (
            "database",
            f"{len(communes)} communes, {responses:,} responses, "
            f"{answers:,} answers ({answers / max(responses, 1):.1f} per response)",
        )
    ]
    for label, (commune_id, code, n) in (("largest", largest), ("median", median)):
        runs = [
            _in_fresh_process(_evaluate_one, url, workdir, commune_id, year)
            for _ in range(args.repeat)
        ]
        each = ", ".join(f"{r[0]:.2f}" for r in runs)
        rows.append(
            (
                f"one commune-year, {label} ({code}, {n:,} responses in {year})",
                f"median {statistics.median(r[0] for r in runs):.2f} s over {args.repeat} runs "
                f"({each}), peak {max(r[1] for r in runs):,.0f} MB",
            )
        )
    ids = [c[0] for c in communes]
    wall, cpu, slowest, peak = _in_fresh_process(_evaluate_province, url, workdir, ids, year)
    rows.append(
        (
            f"province-year ({len(ids)} communes in turn, one process)",
            f"{wall:.1f} s wall, {cpu:.1f} s CPU in the worker, slowest commune "
            f"{slowest:.2f} s, peak {peak:,.0f} MB",
        )
    )
    services = _in_fresh_process(_province_services, url, workdir, year, args.repeat)
    for name, (first, warm) in services.items():
        rows.append(
            (
                f"province service {name}",
                f"median {warm * 1000:,.0f} ms over {args.repeat} calls (the first, in a fresh "
                f"process: {first * 1000:,.0f} ms)",
            )
        )
    if args.skip_dashboards:
        return rows
    pages, (stored, failed, seconds), computed = _dashboards(url, workdir, largest[1], year, args)
    for path, (values, waits, cold) in pages.items():
        rows.append(
            (
                f"GET {path}",
                f"p50 {statistics.median(values):,.0f} ms, p95 {percentile(values, 0.95):,.0f} ms"
                f" (n={len(values)}, {waits} answered 202); first figures after {cold:.1f} s",
            )
        )
    rows.append(
        (
            "writers during the reads",
            f"{args.writers} processes: {stored} stored, {failed} failed in {seconds:.0f} s "
            f"({stored / max(seconds, 1):.1f}/s)",
        )
    )
    if computed is not None:
        rows.append(
            (
                "figures computed by the queue",
                f"{computed} computations ({args.figure_workers} `flask figures worker`, Redis "
                f"{args.redis_url}), warm-up and {stored} new responses included",
            )
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--responses", type=int, default=1_000_000, help="in all")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="PostgreSQL server URL (a database is made)")
    parser.add_argument("--seeded", metavar="URL", help="measure this seeded database again")
    parser.add_argument("--keep", action="store_true", help="keep the database made")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=4, help="concurrent readers")
    parser.add_argument("--requests", type=int, default=100, help="per page")
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--write-rate", type=float, default=2.0, help="per writer, per second")
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument(
        "--redis-url",
        help="keep the figures in this Redis database (flushed) and compute them in "
        "`flask figures worker` processes, as production does; else each web worker computes",
    )
    parser.add_argument("--figure-workers", type=int, default=1)
    parser.add_argument(
        "--mixed", action="store_true", help="ask the pages mixed, not one page at a time"
    )
    parser.add_argument("--skip-dashboards", action="store_true")
    parser.add_argument("--seed-only", action="store_true", help="seed, keep, measure nothing")
    args = parser.parse_args()
    if not (args.seeded or (args.database_url or "").startswith("postgresql")):
        parser.error("PostgreSQL only: --database-url postgresql+psycopg://... or --seeded")

    rows = [("command", " ".join(sys.argv))]
    with tempfile.TemporaryDirectory() as workdir:
        if args.seeded:
            url, drop = with_psycopg(args.seeded), lambda: None
        else:
            url, drop = fresh_database(args.database_url, workdir)
        try:
            if not args.seeded:
                seconds, analyze, added, answers, _year = _in_fresh_process(
                    _seed, url, workdir, args.communes, args.responses, args.seed
                )
                rows.append(
                    (
                        "seeding",
                        f"{seconds:,.0f} s for {added:,} responses, "
                        f"{answers:,} answers: {seconds * 100_000 / added:,.0f} s per "
                        f"100k responses; then VACUUM ANALYZE {analyze:,.0f} s",
                    )
                )
            if not args.seed_only:
                rows += _measure(url, workdir, args)
        finally:
            if args.keep or args.seeded or args.seed_only:
                print(f"kept: {sa.engine.make_url(url).render_as_string(hide_password=False)}")
            else:
                drop()
    width = max(len(label) for label, _v in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
