"""What the dashboards show, computed once per change of the data and kept in this process.

A year's evaluation over a million responses takes seconds; a dashboard must answer in a
fraction of one. Each aggregate (a year's evaluation, a survey's results) is kept with the
data version it was computed from: the newest audit log entry (every change of surveys,
annual figures, feedback, rule sets, villages, organizations, settings and finalizations is
audit-logged in its own transaction, and so is a response import), the newest survey change,
and what moves when the responses the aggregate reads change: the newest batch of responses
released in its year's surveys or its survey (survey.responses.release), so that answers to this
year's surveys leave last year's figures alone. When the
version has moved on, a reader gets the kept value at once, marked with the time it was
computed, while the worker's one background thread computes the new one (at most once per
`AGGREGATE_REFRESH_SECONDS` while answers keep arriving). An aggregate never computed in this
worker is queued for that thread too, and the reader is told (NotReady) to come back shortly:
no request waits the seconds a first evaluation of a large year takes. A value older than
`AGGREGATE_MAX_AGE_SECONDS` is recomputed whatever the version says: a safety net for changes
made outside the application.

`AGGREGATE_REFRESH = "inline"` computes every refresh while the reader waits (the tests, and
a single-user install that prefers fresh numbers to fast ones).

A worker keeps at most MAX_ENTRIES aggregates (the least recently read go, to be computed again
when asked for): far more than the years and surveys a commune reads, and a bound whatever
keys the pages are asked for.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from survey.core.bounded_cache import LRUCache
from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME
from survey.models import AuditLog, Dialogue, ReleaseBatch, Response, Survey, Task, utcnow
from survey.responses.release import survey_closed

MAX_ENTRIES = 256


class NotReady(Exception):
    """An aggregate never computed in this worker is being computed now: ask again shortly."""


@dataclass(frozen=True)
class Cached:
    """A kept aggregate: its value, when it was computed, and whether the data changed since."""

    value: object
    computed_at: datetime
    stale: bool


@dataclass
class _Entry:
    version: tuple
    computed_at: datetime
    monotonic: float
    value: object


class _Store:
    """One app's kept aggregates, and the keys being refreshed in the background."""

    def __init__(self):
        self.entries = LRUCache(MAX_ENTRIES)  # key -> _Entry
        self.refreshing: set[Hashable] = set()
        self.queue: deque = deque()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()


def _store() -> _Store:
    return current_app.extensions.setdefault("aggregate_cache", _Store())


def latest_response_of_years(*years: int):
    """The newest response time of the surveys of `years` (one index lookup per survey)."""
    latest = (
        sa.select(sa.func.max(Response.submitted_at))
        .where(Response.survey_id == Survey.id)
        .scalar_subquery()
    )
    return sa.select(sa.func.max(latest)).where(Survey.year.in_(years)).scalar_subquery()


def latest_response_of_survey(survey_id: int):
    """The newest response time of one survey."""
    return (
        sa.select(sa.func.max(Response.submitted_at))
        .where(Response.survey_id == survey_id)
        .scalar_subquery()
    )


def released_of_years(*years: int) -> tuple:
    """What the figures of `years` count, as it moves (survey.responses.release): the newest
    batch of responses released in their surveys, and how many of those surveys are closed by
    now (a closed survey counts every response)."""
    return _released(Survey.year.in_(years))


def released_of_survey(survey_id: int) -> tuple:
    """The same for one survey: its newest released batch, and whether it is closed by now."""
    return _released(Survey.id == survey_id)


def _released(surveys) -> tuple:
    newest = (
        sa.select(sa.func.max(ReleaseBatch.id))
        .join(Survey, Survey.id == ReleaseBatch.survey_id)
        .where(surveys)
        .scalar_subquery()
    )
    closed = (
        sa.select(sa.func.count()).select_from(Survey).where(surveys, survey_closed())
    ).scalar_subquery()
    return newest, closed


def data_version(scope=None) -> tuple:
    """What an aggregate depends on, read from indexes: the newest audit entry, survey change,
    task change and dialogue change, and `scope` (a scalar query, or a tuple of them: what
    moves when the data the aggregate reads change; by default the newest response of any
    survey); and the commune's day, since a task not done becomes late when its due date
    passes."""
    if scope is None:
        scope = sa.select(sa.func.max(Response.id)).scalar_subquery()
    scopes = scope if isinstance(scope, tuple) else (scope,)
    found = db.session.execute(
        sa.select(
            sa.select(sa.func.max(AuditLog.id)).scalar_subquery(),
            sa.select(sa.func.max(Survey.updated_at)).scalar_subquery(),
            sa.select(sa.func.max(Task.updated_at)).scalar_subquery(),
            sa.select(sa.func.max(Dialogue.updated_at)).scalar_subquery(),
            *scopes,
        )
    ).one()
    return (*found, datetime.now(COMMUNE_TIME).date())


def cached(key: Hashable, compute: Callable[[], object], scope=None) -> Cached:
    """The aggregate `key`, computed by `compute()` (inside an app context) when needed;
    `scope` as for `data_version`."""
    store = _store()
    version = data_version(scope)
    entry = store.entries.get(key)
    config = current_app.config
    if entry is not None:
        expired = time.monotonic() - entry.monotonic > config["AGGREGATE_MAX_AGE_SECONDS"]
        if entry.version == version and not expired:
            return Cached(entry.value, entry.computed_at, stale=False)
        if config["AGGREGATE_REFRESH"] == "background":
            # While answers keep coming, one refresh per interval: the rest wait for the next.
            recent = time.monotonic() - entry.monotonic < config["AGGREGATE_REFRESH_SECONDS"]
            if not recent or expired:
                _refresh_in_background(store, key, compute, scope)
            return Cached(entry.value, entry.computed_at, stale=True)
    elif config["AGGREGATE_REFRESH"] == "background":
        # Never computed here: no reader waits seconds (or a worker's timeout) for it.
        _refresh_in_background(store, key, compute, scope)
        raise NotReady(key)
    entry = _compute(store, key, compute, version)
    return Cached(entry.value, entry.computed_at, stale=False)


def _compute(store, key, compute, version):
    entry = _Entry(version, utcnow(), time.monotonic(), compute())
    with store.lock:
        current = store.entries.get(key)
        # A slower, older computation never replaces a newer one.
        if current is None or current.monotonic <= entry.monotonic:
            store.entries[key] = entry
    return entry


def _refresh_in_background(store, key, compute, scope):
    """Queue `key` for this worker's one refresher thread (started when idle): refreshes run
    one after another, so a worker never spends more than one processor on them."""
    with store.lock:
        if key in store.refreshing:
            return
        store.refreshing.add(key)
        store.queue.append((key, compute, scope))
        if store.thread is not None and store.thread.is_alive():
            return
        app = current_app._get_current_object()
        store.thread = threading.Thread(
            target=_refresher, args=(app, store), name="refresh kept figures", daemon=True
        )
        store.thread.start()


def _one_processor():
    """PostgreSQL would spread a refresh's large queries over parallel workers and take every
    processor from the readers; a refresh is in no hurry, so it gets one."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL max_parallel_workers_per_gather = 0"))


def _refresher(app, store):
    while True:
        with store.lock:
            if not store.queue:
                store.thread = None
                return
            key, compute, scope = store.queue.popleft()
        try:
            with app.app_context():
                try:
                    _one_processor()
                    _compute(store, key, compute, data_version(scope))
                finally:
                    db.session.remove()
        except Exception:  # the reader keeps the older value; the next one tries again
            app.logger.exception("refreshing %r failed", key)
        finally:
            with store.lock:
                store.refreshing.discard(key)


def gathered(*wanted: Callable[[], Cached]) -> list[Cached]:
    """Every one of `wanted` (each gives one kept aggregate); when some are not computed yet,
    all of those are queued before NotReady is raised, so one wait covers the whole page."""
    kept, missing = [], False
    for get in wanted:
        try:
            kept.append(get())
        except NotReady:
            missing = True
    if missing:
        raise NotReady()
    return kept


@dataclass(frozen=True)
class Freshness:
    """When the oldest number on a page was computed, and whether newer data are coming."""

    computed_at: datetime
    updating: bool

    @classmethod
    def of(cls, *kept: Cached) -> Freshness:
        return cls(min(k.computed_at for k in kept), any(k.stale for k in kept))
