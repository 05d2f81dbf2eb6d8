"""The figures kept in Redis for every worker and host, computed by RQ's workers once per change.

With `REDIS_URL` configured, a figure (survey.ratings.figure_registry) is kept in one Redis hash
per key: its value (pickled), the data version it was computed from (as a digest), when it was
computed, and a stamp that changes with each computation. A reader compares the version it
reads now with the kept one:

- the same (and younger than `AGGREGATE_MAX_AGE_SECONDS`): the kept value;
- another: the kept value at once, marked stale, and a job queued to compute the new one;
- none kept yet: a job queued, and NotReady (the page answers 202 "still computing").

However many web workers and hosts read a stale figure, one job is queued for it: queuing
first takes a lock, `SET <key>:queued NX` (it expires after the job's timeout, should a worker
die with it), which the job lets go when it is done; a job that finds the kept value already
of the current version computes nothing. So each figure is computed once per change, by
`flask figures worker` (RQ's SimpleWorker: one job after another in the worker's own process,
with the app's context; run more of them for more processors). While answers keep arriving, a
figure is recomputed at most once per `AGGREGATE_REFRESH_SECONDS`, as in one process.

A job carries the figure's name, its arguments and the commune it was asked for; it computes
inside `commune_scope(commune_id)`. A web worker keeps the values it unpickled (by stamp) so
that a dashboard read costs one small Redis round trip, not the unpickling of a year's
evaluation; a figure nobody reads for KEPT_SECONDS leaves Redis.

Why RQ and not Celery: RQ is small (one package over redis-py), needs nothing but the Redis the
rate limits already use, and runs plain importable functions with their arguments; Celery
brings a broker abstraction, its own configuration and worker pools this needs none of. RQ is
also what the Flask Mega-Tutorial (docs/style.md's microblog) uses for its background jobs.
"""

from __future__ import annotations

import json
import pickle  # nosec B403 # only values our own workers computed and wrote to our own Redis
import uuid
from contextlib import suppress
from datetime import datetime

import redis
from flask import current_app
from rq import Queue, SimpleWorker

from survey.core.bounded_cache import LRUCache
from survey.core.extensions import db
from survey.models import utcnow
from survey.ratings.figure_registry import (
    Cached,
    Figure,
    NotReady,
    figure_key,
    one_processor,
    registered,
    version_digest,
    version_of,
    within,
)

QUEUE = "figures"
JOB_TIMEOUT = 900  # seconds: far more than a commune-year's evaluation takes
KEPT_SECONDS = 7 * 86400  # a figure nobody reads for a week leaves Redis
FAILED_KEPT_SECONDS = 86400  # a failed job stays for a day, for `rq info` and the logs
MAX_LOCAL_VALUES = 256  # unpickled values a web worker keeps (survey.core.bounded_cache)
COMPUTATIONS = "figures:computations"  # figure name -> how many times it was computed


def connection() -> redis.Redis:
    """This app's client of REDIS_URL (one pool per process)."""
    client = current_app.extensions.get("figures_redis")
    if client is None:
        client = redis.Redis.from_url(current_app.config["REDIS_URL"])
        current_app.extensions["figures_redis"] = client
    return client


def queue(client: redis.Redis | None = None) -> Queue:
    """The figures' queue."""
    return Queue(QUEUE, connection=client or connection())


def redis_name(key: tuple) -> str:
    """The Redis key of a figure's key (survey.ratings.figure_registry.figure_key)."""
    return "figures:" + json.dumps(list(key), ensure_ascii=False, separators=(",", ":"))


def read(entry: Figure, args: tuple, key: tuple, version: tuple) -> Cached:
    """The figure `entry` of `args` as kept in Redis for `key`, as the module says."""
    client = connection()
    name = redis_name(key)
    with client.pipeline(transaction=False) as pipe:
        pipe.hmget(name, "stamp", "version", "computed")
        pipe.expire(name, KEPT_SECONDS)
        (stamp, kept_version, computed), _ = pipe.execute()
    config = current_app.config
    if stamp is not None:
        computed_at = datetime.fromisoformat(computed.decode())
        age = (utcnow() - computed_at).total_seconds()
        expired = age > config["AGGREGATE_MAX_AGE_SECONDS"]
        if kept_version.decode() == version_digest(version) and not expired:
            return Cached(_value(client, name, stamp, key), computed_at, stale=False)
    if config["AGGREGATE_REFRESH"] == "inline":
        value, computed_at = _compute_and_store(client, entry, args, name, version)
        return Cached(value, computed_at, stale=False)
    if stamp is None:
        _enqueue(client, entry.name, args, key)
        raise NotReady(key)
    if expired or age >= config["AGGREGATE_REFRESH_SECONDS"]:
        _enqueue(client, entry.name, args, key)
    return Cached(_value(client, name, stamp, key), computed_at, stale=True)


def fresh_value(entry: Figure, args: tuple, key: tuple, version: tuple):
    """The value of `entry` of `args` kept for `key` when it is of `version`, else computed
    now and kept (survey.ratings.kept_figures.fresh_value)."""
    client = connection()
    name = redis_name(key)
    stamp = client.hget(name, "stamp")
    if stamp is not None and _is_current(client, name, version):
        with suppress(NotReady):  # gone since (expired): computed below
            return _value(client, name, stamp, key)
    return _compute_and_store(client, entry, args, name, version)[0]


def _local() -> LRUCache:
    return current_app.extensions.setdefault("figures_values", LRUCache(MAX_LOCAL_VALUES))


def _value(client, name: str, stamp: bytes, key: tuple):
    """The kept value of `name`: unpickled once per stamp in this process."""
    local = _local()
    known = local.get(name)
    if known is not None and known[0] == stamp:
        return known[1]
    raw, stamp = client.hmget(name, "value", "stamp")
    if raw is None:  # gone since (expired): computed again
        raise NotReady(key)
    value = pickle.loads(raw)  # nosec B301 # written by our own workers into our own Redis
    local[name] = (stamp, value)
    return value


def _enqueue(client, name: str, args: tuple, key: tuple) -> None:
    """Queue the computation of `key`, unless one is queued or running already."""
    lock = redis_name(key) + ":queued"
    if not client.set(lock, "1", nx=True, ex=JOB_TIMEOUT + 60):
        return
    try:
        queue(client).enqueue(
            run_figure,
            name,
            list(args),
            key[0],
            job_timeout=JOB_TIMEOUT,
            result_ttl=0,
            failure_ttl=FAILED_KEPT_SECONDS,
            description=f"figure {redis_name(key)}",
        )
    except Exception:
        client.delete(lock)
        raise


def _compute_and_store(client, entry: Figure, args: tuple, name: str, version: tuple):
    """Compute the figure, keep it in Redis with its version, and count the computation."""
    value = entry.compute(*args)
    computed_at = utcnow()
    stamp = uuid.uuid4().hex
    with client.pipeline(transaction=True) as pipe:
        pipe.hset(
            name,
            mapping={
                "stamp": stamp,
                "version": version_digest(version),
                "computed": computed_at.isoformat(),
                "value": pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL),
            },
        )
        pipe.expire(name, KEPT_SECONDS)
        pipe.hincrby(COMPUTATIONS, entry.name, 1)
        pipe.execute()
    _local()[name] = (stamp.encode(), value)
    return value, computed_at


def _is_current(client, name: str, version: tuple) -> bool:
    kept_version, computed = client.hmget(name, "version", "computed")
    if kept_version is None:
        return False
    age = (utcnow() - datetime.fromisoformat(computed.decode())).total_seconds()
    fresh = age <= current_app.config["AGGREGATE_MAX_AGE_SECONDS"]
    return kept_version.decode() == version_digest(version) and fresh


def run_figure(name: str, args: list, commune) -> bool:
    """The job: compute the figure `name` of `args` for `commune` (its id; ALL; None), inside
    its scope, unless the kept one is of the current version already. True when it computed."""
    app = current_app._get_current_object()
    args = tuple(args)
    with app.app_context(), within(commune):
        client = connection()
        key = figure_key(name, args)
        try:
            entry = registered(name)
            one_processor()
            version = version_of(entry, args)
            if _is_current(client, redis_name(key), version):
                return False
            _compute_and_store(client, entry, args, redis_name(key), version)
            return True
        finally:
            db.session.remove()
            client.delete(redis_name(key) + ":queued")


def computations() -> dict[str, int]:
    """How many times each figure was computed by this Redis's workers (and inline readers)."""
    counts = connection().hgetall(COMPUTATIONS)
    return {name.decode(): int(n) for name, n in counts.items()}


def work(burst: bool = False) -> bool:
    """Run a worker of the figures' queue in this process, inside the app's context (`burst`:
    until the queue is empty). True when it ran a job."""
    client = connection()
    worker = SimpleWorker([queue(client)], connection=client)
    return worker.work(burst=burst, logging_level="INFO")
