"""deploy/postgresql.conf and deploy/redis.conf hold what the app needs of its servers."""

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import redis
from flask import Flask

from deploy.throwaway_nginx import free_port
from survey.core import database
from tests.deploy.test_systemd_units import environment_example
from tests.factories import make_defined_survey

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# The upgrade unit or a command, a backup (pg_dump), psql, monitoring: beside the app's pools.
OTHER_CONNECTIONS = 5
SUPERUSER_RESERVED = 3  # PostgreSQL's default superuser_reserved_connections
LONGEST_WINDOW = 15 * 60  # seconds: LOGIN_RATE_LIMIT_* are "per 15 minutes"


def settings_of(name):
    """{key: value} of a server's configuration snippet, comments left out."""
    text = re.sub(r"#[^\n]*", "", (DEPLOY / name).read_text())
    return dict(re.findall(r"(?m)^\s*([a-z_-]+)\s*=?\s*(.*?)\s*$", text))


def test_postgresql_takes_every_workers_whole_pool_and_the_commands():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://u@localhost/db"
    database.configure_engine_options(app)
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    per_worker = options["pool_size"] + options["max_overflow"]
    workers, hosts = int(environment_example()["WEB_CONCURRENCY"]), 1
    needed = workers * hosts * per_worker + SUPERUSER_RESERVED + OTHER_CONNECTIONS
    assert int(settings_of("postgresql.conf")["max_connections"]) >= needed


def test_redis_keeps_nothing_on_disk_and_evicts_no_counter():
    redis = settings_of("redis.conf")
    assert redis["maxmemory-policy"] == "noeviction"
    assert redis["save"] == '""'
    assert redis["appendonly"] == "no"


@pytest.fixture
def snippet_redis(tmp_path):
    """A redis-server of its own, started from deploy/redis.conf (on a free port)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    configuration = tmp_path / "redis.conf"
    configuration.write_text(
        (DEPLOY / "redis.conf").read_text() + f"\nport {port}\ndir {tmp_path}\ndaemonize no\n"
    )
    process = subprocess.Popen([server, str(configuration)], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None:
                    pytest.fail("redis-server refused deploy/redis.conf")
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", client
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)


def test_redis_loads_the_snippet_and_every_counter_expires_by_itself(make_app, db, snippet_redis):
    """noeviction and no persistence are safe because the limiter's every key expires at the
    end of its window."""
    url, client = snippet_redis
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    assert client.config_get("maxmemory")["maxmemory"] == str(256 * 1024 * 1024)
    code = make_defined_survey(db).code
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=url)
    visitor = app.test_client()
    assert visitor.post(f"/s/{code}", data={"q_hl": ""}).status_code == 422
    assert visitor.get("/r/ABCDEFGH").status_code in (200, 404)
    keys = client.keys("*")
    assert keys
    for key in keys:
        assert 0 < client.ttl(key) <= LONGEST_WINDOW, key
