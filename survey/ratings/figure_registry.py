"""The dashboards' figures by name, and the data version each is computed from.

A figure (a year's evaluation, a survey's results, ...) is a function registered under a name
with `@figure(name, scope=...)`: a job can then be described by its name and arguments and
computed in another process (survey.ratings.shared_figures), not only by a closure in this
one. Its arguments are plain ints and strings; its value is what the function returns, which
must survive pickling (tests/ratings/test_shared_figures.py reads the dashboards' figures back
through Redis; tests/province/test_overview.py the province's).

The version a value is computed from is read from indexes (`data_version`): the newest audit
log entry (every change of surveys, annual figures, feedback, rule sets, villages,
organizations, settings and finalizations is audit-logged in its own transaction, and so is a
response import), the newest survey, task and dialogue change, the commune's day, and the
figure's own scope: what moves when the responses it reads change (the newest batch of
responses released in its year's surveys or its survey, survey.responses.release), so that
answers to this year's surveys leave last year's figures alone.

The key of a kept figure is built in one place, `figure_key`: the commune the code at hand
works for (survey.core.tenancy), the figure's name and its arguments. No reader of one commune
ever gets a value computed for another.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME
from survey.core.tenancy import ALL, across_communes, commune_scope, current_commune_id, scope_value
from survey.models import (
    AuditLog,
    Dialogue,
    ProvinceSetting,
    ReleaseBatch,
    Response,
    Survey,
    Task,
)
from survey.responses.release import survey_closed


class NotReady(Exception):
    """A figure never computed yet is being computed now: ask again shortly."""


@dataclass(frozen=True)
class Cached:
    """A kept figure: its value, when it was computed, and whether the data changed since."""

    value: object
    computed_at: datetime
    stale: bool


@dataclass(frozen=True)
class Figure:
    """A registered figure: `compute(*args)` gives its value; `scope(*args)` what moves when
    the data it reads change (as for `data_version`; None: any response)."""

    name: str
    compute: Callable[..., object]
    scope: Callable[..., object] | None


FIGURES: dict[str, Figure] = {}


def figure(name: str, scope: Callable[..., object] | None = None):
    """Register the decorated function as the figure `name` (once: two functions may not take
    the same name)."""

    def register(compute):
        known = FIGURES.get(name)
        if known is not None and _origin(known.compute) != _origin(compute):
            raise ValueError(f"two figures are named {name!r}: {_origin(known.compute)}")
        FIGURES[name] = Figure(name, compute, scope)
        return compute

    return register


def _origin(function) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def registered(name: str) -> Figure:
    """The figure `name`; KeyError names the figures there are."""
    try:
        return FIGURES[name]
    except KeyError:
        raise KeyError(f"no figure {name!r}; there are {sorted(FIGURES)}") from None


def figure_key(name: str, args: tuple) -> tuple:
    """The one key of the figure `name` of `args` for the commune at hand: its id (ALL across
    the province's communes, None when no commune was chosen: a single-commune install)."""
    commune = ALL if scope_value() == ALL else current_commune_id()
    return (commune, name, *args)


def within(commune):
    """The scope a figure of `figure_key(...)[0] == commune` is computed in: the commune's,
    across communes, or none (a background thread or job enters it; a request already has)."""
    if commune == ALL:
        return across_communes()
    return commune_scope(commune) if commune is not None else nullcontext()


def version_of(entry: Figure, args: tuple) -> tuple:
    """The data version the figure of `args` would be computed from now."""
    return versions_of([(entry, args)])[0]


def versions_of(wanted: list[tuple[Figure, tuple]]) -> list[tuple]:
    """The data version each of `wanted` (a figure and its arguments) would be computed from
    now, all read in one statement: a page asks for all of its figures at once."""
    scopes = [entry.scope(*args) if entry.scope is not None else None for entry, args in wanted]
    return _data_versions(scopes)


def version_digest(version: tuple) -> str:
    """The version as a short string, the same in every process (for a shared store)."""
    return hashlib.sha256(repr(version).encode("utf-8")).hexdigest()[:32]


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
    """What a figure depends on, read from indexes: the newest audit entry, survey change,
    task change, dialogue change and province setting change, and `scope` (a scalar query,
    or a tuple of them: what moves when the data the figure reads change; by default the
    newest response of any survey); and the commune's day, since a task not done becomes late
    when its due date passes."""
    return _data_versions([scope])[0]


def _data_versions(scopes: list) -> list[tuple]:
    """data_version of each of `scopes`, in one statement: what every figure depends on is
    read once, then each one's scope."""
    scopes = [_scope_columns(scope) for scope in scopes]
    shared = (
        sa.select(sa.func.max(AuditLog.id)).scalar_subquery(),
        sa.select(sa.func.max(Survey.updated_at)).scalar_subquery(),
        sa.select(sa.func.max(Task.updated_at)).scalar_subquery(),
        sa.select(sa.func.max(Dialogue.updated_at)).scalar_subquery(),
        # the province's default rule set, which every commune's rating reads
        sa.select(sa.func.max(ProvinceSetting.updated_at)).scalar_subquery(),
    )
    found = db.session.execute(
        sa.select(*shared, *(column for scope in scopes for column in scope))
    ).one()
    common, rest = tuple(found[: len(shared)]), tuple(found[len(shared) :])
    today = datetime.now(COMMUNE_TIME).date()
    versions = []
    for scope in scopes:
        versions.append((*common, *rest[: len(scope)], today))
        rest = rest[len(scope) :]
    return versions


def _scope_columns(scope) -> tuple:
    if scope is None:
        return (sa.select(sa.func.max(Response.id)).scalar_subquery(),)
    return scope if isinstance(scope, tuple) else (scope,)


def one_processor():
    """PostgreSQL would spread a refresh's large queries over parallel workers and take every
    processor from the readers; a refresh is in no hurry, so it gets one."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL max_parallel_workers_per_gather = 0"))
