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


def test_when_the_limit_store_stops_answering_requests_are_still_served(make_app, code):
    app = limited_app(make_app, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9")
    client = app.test_client()
    # Counted in the worker's memory meanwhile: still limited, never a 500.
    assert statuses(client, code, "") == [422, 422, 429]
