"""What the dashboards show, computed once per change of the data and kept.

A year's evaluation over a million responses takes seconds; a dashboard must answer in a
fraction of one. Each figure (a year's evaluation, a survey's results: a function registered
with `@figure(name, scope=...)`, survey.ratings.figure_registry) is kept with the data version
it was computed from, for the commune it was asked for. A reader asks `kept(name, *args)`.

Where it is kept:

- with `REDIS_URL`, in Redis for every web worker and host, computed by the workers of RQ's
  queue (`flask figures worker`), each figure once per change (survey.ratings.shared_figures);
- without it (the SQLite embedded default), in this process, computed by its one background
  thread, as below.

Either way, when the version has moved on, a reader gets the kept value at once, marked with
the time it was computed, while the new one is computed in the background (at most once per
`AGGREGATE_REFRESH_SECONDS` while answers keep arriving). A figure never computed is queued
too, and the reader is told (NotReady) to come back shortly: no request waits the seconds a
first evaluation of a large year takes. A value older than `AGGREGATE_MAX_AGE_SECONDS` is
recomputed whatever the version says: a safety net for changes made outside the application.

`AGGREGATE_REFRESH = "inline"` computes every refresh while the reader waits (the tests, and
a single-user install that prefers fresh numbers to fast ones).

In a process, at most MAX_ENTRIES figures are kept (the least recently read go, to be computed
again when asked for): far more than the years and surveys a commune reads, and a bound
whatever keys the pages are asked for.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from survey.core.bounded_cache import LRUCache
from survey.core.extensions import db
from survey.models import utcnow
from survey.ratings import shared_figures
from survey.ratings.figure_registry import (
    Cached,
    Figure,
    NotReady,
    data_version,
    figure,
    figure_key,
    latest_response_of_survey,
    latest_response_of_years,
    one_processor,
    registered,
    released_of_survey,
    released_of_years,
    version_of,
    versions_of,
    within,
)

__all__ = [
    "Cached",
    "fresh_value",
    "Freshness",
    "NotReady",
    "data_version",
    "figure",
    "gathered",
    "kept",
    "latest_response_of_survey",
    "latest_response_of_years",
    "released_of_survey",
    "released_of_years",
]

MAX_ENTRIES = 256


@dataclass
class _Entry:
    version: tuple
    computed_at: datetime
    monotonic: float
    value: object


class _Store:
    """One app's kept figures, and the keys being refreshed in the background."""

    def __init__(self):
        self.entries = LRUCache(MAX_ENTRIES)  # key -> _Entry
        self.refreshing: set[Hashable] = set()
        self.queue: deque = deque()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()


def _store() -> _Store:
    return current_app.extensions.setdefault("aggregate_cache", _Store())


def kept(name: str, *args) -> Cached:
    """The figure `name` of `args` (plain ints and strings) for the commune at hand, kept."""
    entry = registered(name)
    return _kept(entry, args, version_of(entry, args))


def _kept(entry: Figure, args: tuple, version: tuple) -> Cached:
    key = figure_key(entry.name, args)
    if current_app.config.get("REDIS_URL"):
        return shared_figures.read(entry, args, key, version)
    return _kept_here(key, version)


def fresh_value(name: str, *args):
    """The value of the figure `name` of `args` for the commune at hand as the data stand now:
    the kept one when it was computed from the current version, else computed here, and kept
    for its own readers. For a figure made of others, computed in the background already (the
    province's page reads every commune's evaluation): only those that changed are computed."""
    entry = registered(name)
    key = figure_key(name, args)
    version = version_of(entry, args)
    if current_app.config.get("REDIS_URL"):
        return shared_figures.fresh_value(entry, args, key, version)
    store = _store()
    found = store.entries.get(key)
    if found is not None and found.version == version:
        age = time.monotonic() - found.monotonic
        if age <= current_app.config["AGGREGATE_MAX_AGE_SECONDS"]:
            return found.value
    return _compute(store, key, version).value


def _kept_here(key: tuple, version: tuple) -> Cached:
    """The figure of `key` as this process keeps it."""
    store = _store()
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
                _refresh_in_background(store, key)
            return Cached(entry.value, entry.computed_at, stale=True)
    elif config["AGGREGATE_REFRESH"] == "background":
        # Never computed here: no reader waits seconds (or a worker's timeout) for it.
        _refresh_in_background(store, key)
        raise NotReady(key)
    entry = _compute(store, key, version)
    return Cached(entry.value, entry.computed_at, stale=False)


def _compute(store, key: tuple, version: tuple):
    _commune, name, *args = key
    entry = _Entry(version, utcnow(), time.monotonic(), registered(name).compute(*args))
    with store.lock:
        current = store.entries.get(key)
        # A slower, older computation never replaces a newer one.
        if current is None or current.monotonic <= entry.monotonic:
            store.entries[key] = entry
    return entry


def _refresh_in_background(store, key: tuple):
    """Queue `key` for this worker's one refresher thread (started when idle): refreshes run
    one after another, so a worker never spends more than one processor on them."""
    with store.lock:
        if key in store.refreshing:
            return
        store.refreshing.add(key)
        store.queue.append(key)
        if store.thread is not None and store.thread.is_alive():
            return
        app = current_app._get_current_object()
        store.thread = threading.Thread(
            target=_refresher, args=(app, store), name="refresh kept figures", daemon=True
        )
        store.thread.start()


def _refresher(app, store):
    while True:
        with store.lock:
            if not store.queue:
                store.thread = None
                return
            key = store.queue.popleft()
        commune, name, *args = key
        try:
            # A thread starts in no commune: it enters the one the figure was asked for.
            with app.app_context(), within(commune):
                try:
                    one_processor()
                    _compute(store, key, version_of(registered(name), tuple(args)))
                finally:
                    db.session.remove()
        except Exception:  # the reader keeps the older value; the next one tries again
            app.logger.exception("refreshing %r failed", key)
        finally:
            with store.lock:
                store.refreshing.discard(key)


def gathered(*wanted: tuple) -> list[Cached]:
    """Every one of `wanted` (a figure's name and arguments, as `kept` takes them), kept; the
    data versions of them all are read in one statement. When some are not computed yet, all
    of those are queued before NotReady is raised, so one wait covers the whole page."""
    figures = [(registered(name), tuple(args)) for name, *args in wanted]
    found, missing = [], False
    for (entry, args), version in zip(figures, versions_of(figures), strict=True):
        try:
            found.append(_kept(entry, args, version))
        except NotReady:
            missing = True
    if missing:
        raise NotReady()
    return found


@dataclass(frozen=True)
class Freshness:
    """When the oldest number on a page was computed, and whether newer data are coming."""

    computed_at: datetime
    updating: bool

    @classmethod
    def of(cls, *found: Cached) -> Freshness:
        return cls(min(k.computed_at for k in found), any(k.stale for k in found))
