"""Rate limits as production runs them: behind a reverse proxy, shared through Redis between
workers, and still serving when Redis stops answering."""

import socket
import uuid

import pytest

from tests.factories import make_defined_survey

REDIS = ("127.0.0.1", 6379)


def redis_running():
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
        return True
    except OSError:
        return False


def limited_app(make_app, **config):
    """Two submissions a minute per address, with the rate-limit settings given."""
    return make_app(RATELIMIT_ENABLED=True, SUBMIT_RATE_LIMIT="2 per minute", **config)


@pytest.fixture
def code(db):
    return make_defined_survey(db).code


def statuses(client, code, forwarded_for, times=3):
    """Three incomplete forms (422) from one phone; the third is over a limit of 2."""
    return [
        client.post(
            f"/s/{code}",
            data={"q_hl": ""},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},  # the proxy
            headers={"X-Forwarded-For": forwarded_for},
        ).status_code
        for _ in range(times)
    ]


def test_behind_a_trusted_proxy_each_phone_has_its_own_limit(make_app, code):
    app = limited_app(make_app, TRUSTED_PROXIES=1)
    client = app.test_client()
    assert statuses(client, code, "203.0.113.1") == [422, 422, 429]
    assert statuses(client, code, "203.0.113.2") == [422, 422, 429]


def test_without_a_trusted_proxy_a_forged_forwarded_address_changes_nothing(make_app, code):
    app = limited_app(make_app)
    client = app.test_client()
    assert statuses(client, code, "203.0.113.1") == [422, 422, 429]
    assert statuses(client, code, "203.0.113.2", times=1) == [429]


@pytest.mark.skipif(not redis_running(), reason="needs Redis on 127.0.0.1:6379")
def test_workers_sharing_redis_share_one_count(make_app, code):
    """Two apps stand for two gunicorn workers: the second sees the first one's requests."""
    store = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}
    prefix = {"RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}  # a count of its own
    first = limited_app(make_app, **store, **prefix)
    second = limited_app(make_app, **store, **prefix)
    assert statuses(first.test_client(), code, "", times=2) == [422, 422]
    assert statuses(second.test_client(), code, "", times=1) == [429]


@pytest.fixture
def store_down_for_this_test_only():
    """Flask-Limiter keeps "the store is down" on its one instance, across apps: the next tests
    would count in its fallback memory until it looks at the store again, seconds later, and
    then start again from nothing in the middle of a test."""
    from survey.core.extensions import limiter

    yield
    limiter._storage_dead = False


def test_when_the_limit_store_stops_answering_requests_are_still_served(
    make_app, code, store_down_for_this_test_only
):
    app = limited_app(make_app, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9")
    client = app.test_client()
    # Counted in the worker's memory meanwhile: still limited, never a 500.
    assert statuses(client, code, "") == [422, 422, 429]


REDIS_DB3 = "redis://127.0.0.1:6379/3"  # this suite's own Redis database, flushed after


@pytest.fixture
def redis_db3():
    if not redis_running():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    import redis

    store = redis.Redis.from_url(REDIS_DB3)
    yield REDIS_DB3
    store.flushdb()
    store.close()


def test_with_memory_storage_each_worker_allows_its_share(make_app, code):
    """Counted in each worker's memory, two workers allowing 4 a minute each would let 8
    through: each allows 2, and the two add up to the configured 4."""
    app = make_app(RATELIMIT_ENABLED=True, SUBMIT_RATE_LIMIT="4 per minute", WORKERS=2)
    assert statuses(app.test_client(), code, "") == [422, 422, 429]


def test_the_worker_count_is_gunicorns_web_concurrency(make_app, code, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    app = make_app(RATELIMIT_ENABLED=True, SUBMIT_RATE_LIMIT="8 per minute")
    assert statuses(app.test_client(), code, "") == [422, 422, 429]


def test_workers_sharing_redis_count_the_whole_limit_once(make_app, code, redis_db3):
    """With Redis the count is shared, so no worker divides it: two workers of an app
    configured for 4 a minute let 4 through between them, then refuse."""
    config = {"RATELIMIT_STORAGE_URI": redis_db3, "WORKERS": 2, "SUBMIT_RATE_LIMIT": "4/minute"}
    first = make_app(RATELIMIT_ENABLED=True, **config)
    second = make_app(RATELIMIT_ENABLED=True, **config)
    assert statuses(first.test_client(), code, "", times=3) == [422] * 3
    assert statuses(second.test_client(), code, "", times=2) == [422, 429]


def test_one_phones_ipv6_addresses_share_one_count(make_app, code):
    """A phone is given a whole /64 of IPv6 addresses: they count as one address."""
    client = limited_app(make_app).test_client()

    def status(address):
        sent = client.post(f"/s/{code}", data={"q_hl": ""}, environ_base={"REMOTE_ADDR": address})
        return sent.status_code

    assert [status(f"2001:db8:0:1::{n:x}") for n in range(1, 4)] == [422, 422, 429]
    assert status("2001:db8:0:2::1") == 422  # another network


def test_anonymous_qr_codes_posters_and_receipt_checks_are_limited(make_app, db, code):
    """Each draws a QR code or reads the database: an address gets PUBLIC_PAGE_RATE_LIMIT of
    each; an officer printing posters is not counted."""
    from tests.factories import make_user

    app = make_app(RATELIMIT_ENABLED=True, PUBLIC_PAGE_RATE_LIMIT="2 per minute")
    client = app.test_client()
    for path in (f"/s/{code}/qr.png", f"/s/{code}/poster", "/r/ABCDEFGH"):
        assert [client.get(path).status_code for _ in range(3)][2] == 429, path
    make_user(db, username="truongthon", role="admin")
    db.session.commit()
    officer = app.test_client()
    officer.post("/login", data={"username": "truongthon", "password": "a-long-password"})
    assert {officer.get(f"/s/{code}/poster").status_code for _ in range(4)} == {200}


def test_one_address_asking_for_recordings_again_and_again_is_limited(make_app, db, code):
    """Each recording is a database read: an address gets AUDIO_RATE_LIMIT of them, whatever
    clip it names (a made-up one too)."""
    app = make_app(RATELIMIT_ENABLED=True, AUDIO_RATE_LIMIT="2 per minute")
    client = app.test_client()
    asked = [client.get(f"/s/{code}/audio/{n}-0123456789abcdef.mp3").status_code for n in range(3)]
    assert asked == [404, 404, 429]
