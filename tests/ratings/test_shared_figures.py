"""Figures kept in Redis for every worker and host (REDIS_URL), computed by the RQ workers of
`flask figures worker`, each once per change however many web workers read it.

Each app made here is one web worker (its own process memory: what it unpickled, its own pool);
they share the test database and this suite's own Redis database, flushed before and after.
The worker runs in burst mode in this process (RQ's SimpleWorker: no fork).
"""

import os

import pytest
import redis
from flask import current_app

from survey.core.tenancy import commune_scope, current_commune_id
from survey.ratings import shared_figures
from survey.ratings.kept_figures import NotReady, figure, fresh_value, kept
from tests.factories import make_survey

# This suite's own Redis database (the rate limits' tests use 3).
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
COUNTED = "test:computed"


@figure("test: shared")
def shared():
    """Counts its computations in Redis, as a worker on another host would."""
    client = redis.Redis.from_url(current_app.config["REDIS_URL"])
    return {"commune": current_commune_id(), "computation": client.incr(COUNTED)}


@pytest.fixture
def redis_url():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"needs Redis at {REDIS_URL} (set TEST_REDIS_URL for another)")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def web(make_app, redis_url):
    """Two web workers on Redis, refreshing in the background (as in production)."""

    def worker(**overrides):
        return make_app(REDIS_URL=redis_url, AGGREGATE_REFRESH="background", **overrides)

    return worker


def computed(url):
    return int(redis.Redis.from_url(url).get(COUNTED) or 0)


def waiting(app):
    with app.app_context():
        return shared_figures.queue().count


def run_worker(app):
    """`flask figures worker --burst`: every job queued, then it stops."""
    done = app.test_cli_runner().invoke(args=["figures", "worker", "--burst"])
    assert done.exit_code == 0, done.output


def read(app, name="test: shared", commune=None):
    with app.app_context():
        if commune is None:
            return kept(name)
        with commune_scope(commune):
            return kept(name)


def change_data(app):
    with app.app_context():
        from survey.core.extensions import db

        make_survey(db, [{"code": "hl", "kind": "likert5"}], status="open")
        db.session.commit()


def test_a_figure_is_computed_once_however_many_workers_read_it(web, redis_url):
    first, second = web(), web()
    for app in (first, second, first, second):
        with pytest.raises(NotReady):  # never computed: no reader waits for it
            read(app)
    assert waiting(first) == 1  # one job between them
    run_worker(second)
    for app in (first, second, first, second):
        found = read(app)
        assert (found.value["computation"], found.stale) == (1, False)
    assert computed(redis_url) == 1 and waiting(first) == 0
    with first.app_context():
        assert shared_figures.computations() == {"test: shared": 1}


def test_a_job_finding_the_figure_current_computes_nothing(web, redis_url):
    """Should the lock expire with a job still waiting (a worker slow to start), the second job
    queued for the same version finds the first one's value current."""
    first, second = web(), web()
    with pytest.raises(NotReady):
        read(first)
    redis.Redis.from_url(redis_url).delete('figures:[null,"test: shared"]:queued')
    with pytest.raises(NotReady):
        read(second)
    assert waiting(first) == 2
    run_worker(first)
    assert computed(redis_url) == 1 and read(second).value["computation"] == 1


def test_after_a_change_readers_get_the_kept_value_while_one_job_computes_the_new(web, redis_url):
    first, second = web(AGGREGATE_REFRESH_SECONDS=0), web(AGGREGATE_REFRESH_SECONDS=0)
    with pytest.raises(NotReady):
        read(first)
    run_worker(first)
    before = read(first)
    change_data(first)
    for app in (first, second, first):
        stale = read(app)
        assert (stale.value, stale.computed_at, stale.stale) == (
            before.value,
            before.computed_at,
            True,
        )
    assert waiting(first) == 1
    run_worker(second)
    for app in (first, second):
        fresh = read(app)
        assert (fresh.value["computation"], fresh.stale) == (2, False)
        assert fresh.computed_at > before.computed_at
    assert computed(redis_url) == 2


def test_while_answers_keep_coming_one_computation_per_interval(web, redis_url):
    app = web(AGGREGATE_REFRESH_SECONDS=3600)
    with pytest.raises(NotReady):
        read(app)
    run_worker(app)
    change_data(app)
    assert read(app).stale
    assert waiting(app) == 0  # computed within the interval: not yet
    assert computed(redis_url) == 1


def test_each_commune_gets_its_own_computation_and_never_anothers(web, redis_url):
    first, second = web(), web()
    for app, commune in ((first, 1), (second, 2), (second, 1), (first, 2)):
        with pytest.raises(NotReady):
            read(app, commune=commune)
    assert waiting(first) == 2
    run_worker(first)
    for app in (first, second):
        for commune in (1, 2):
            assert read(app, commune=commune).value["commune"] == commune  # the job's scope
    assert computed(redis_url) == 2


def test_inline_the_reader_computes_and_every_worker_gets_it(make_app, redis_url):
    first, second = (make_app(REDIS_URL=redis_url, AGGREGATE_REFRESH="inline") for _ in "ab")
    assert read(first).value["computation"] == 1
    assert read(second).value["computation"] == 1
    assert computed(redis_url) == 1 and waiting(first) == 0


def test_a_fresh_value_is_read_from_redis_or_computed_and_kept_there(web, redis_url):
    """What the province's page does with every commune's evaluation, inside its own job."""
    first, second = web(), web()
    with first.app_context():
        assert fresh_value("test: shared")["computation"] == 1  # never computed: computed now
    assert read(second).value["computation"] == 1  # and kept for every worker
    with second.app_context():
        assert fresh_value("test: shared")["computation"] == 1
    change_data(first)
    with second.app_context():
        assert fresh_value("test: shared")["computation"] == 2
    assert read(first).value["computation"] == 2
    assert computed(redis_url) == 2 and waiting(first) == 0


def test_the_dashboards_wait_for_the_worker_then_show_what_it_computed(web):
    """Every figure the pages read goes through Redis: pickled by the worker, read back by
    another web worker that never computed anything."""
    from tests.reports.test_dashboard_views import commune

    first, second = web(), web()
    with first.app_context():
        from survey.core.extensions import db

        commune(db)
    pages = ("/dashboard/?year=2025", "/dashboard/org/nongdan?year=2025")
    pages += ("/dashboard/survey/hailong-2025", "/feedback")
    client = first.test_client()
    client.post("/login", data={"username": "thuongtruc", "password": "a-long-password"})
    for page in pages:
        assert client.get(page).status_code == 202, page
    run_worker(first)
    client = second.test_client()
    client.post("/login", data={"username": "thuongtruc", "password": "a-long-password"})
    for page in pages:
        assert client.get(page).status_code == 200, page
    assert "Hội Nông dân xã" in client.get(pages[1]).get_data(as_text=True)
    with first.app_context():
        counts = shared_figures.computations()
    once = ("comparisons", "feedback", "results", "provenance", "activity", "integrity")
    assert counts == {
        "evaluation": 2,  # 2024 and 2025, for the trend
        **dict.fromkeys(once, 1),
        "published replies: hidden villages": 1,
    }


def test_the_worker_command_needs_redis(app):
    done = app.test_cli_runner().invoke(args=["figures", "worker", "--burst"])
    assert done.exit_code != 0 and "REDIS_URL is not set" in done.output


def test_the_status_command_names_the_jobs_waiting_and_the_computations(web):
    app = web()
    with pytest.raises(NotReady):
        read(app)
    status = app.test_cli_runner().invoke(args=["figures", "status"])
    assert status.exit_code == 0 and "waiting: 1" in status.output
    run_worker(app)
    status = app.test_cli_runner().invoke(args=["figures", "status"])
    assert "waiting: 0" in status.output and "test: shared: 1" in status.output
