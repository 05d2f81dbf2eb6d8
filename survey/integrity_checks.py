"""Integrity flags of a year's surveys, from grouped queries (analytics.integrity decides).

Speeders, bursts and duplicates read the response table, one GROUP BY each for the whole
year; straight-lining reads the year's scan of likert answers (survey.year_scan), so this runs
inside `year_scan(year)`. Response ids are fetched only for what is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from analytics.integrity import (
    WINDOW_SECONDS,
    Flag,
    Window,
    burst_flag,
    bursts,
    duplicates,
    flagged_ids,
    speed_limit,
    speeders,
    straight_liners,
)
from survey.extensions import db
from survey.models import Response, Survey, Unit
from survey.year_scan import straight_lining

MIN_BURST = 5


@dataclass(frozen=True)
class SurveyIntegrity:
    """The integrity flags of one survey."""

    survey_code: str
    flags: tuple[Flag, ...]

    @property
    def flagged(self) -> frozenset[int]:
        """Every flagged response id."""
        return flagged_ids(self.flags)


def _epoch_seconds(column):
    if db.engine.dialect.name == "sqlite":
        return sa.cast(sa.func.strftime("%s", column), sa.Float)
    return sa.func.extract("epoch", column)


def _window(column):
    return sa.cast(sa.func.floor(_epoch_seconds(column) / WINDOW_SECONDS), sa.BigInteger)


def year_integrity(surveys) -> tuple[SurveyIntegrity, ...]:
    """The flags of each of `surveys` (one year's, inside its `year_scan`)."""
    ids = [s.id for s in surveys]
    if not ids:
        return ()
    in_year = Response.survey_id.in_(ids)
    flags: dict[int, list[Flag]] = {s.id: [] for s in surveys}
    _speeders(in_year, flags)
    for survey_id, rows in straight_lining().items():
        if survey_id in flags:
            flags[survey_id].append(straight_liners(rows))
    _bursts(surveys, in_year, flags)
    _duplicates(in_year, flags)
    return tuple(
        SurveyIntegrity(s.code, tuple(f for f in flags[s.id] if f is not None)) for s in surveys
    )


def _speeders(in_year, flags):
    histograms: dict[int, dict[int, int]] = {}
    for survey_id, duration, n in db.session.execute(
        sa.select(Response.survey_id, Response.duration_s, sa.func.count())
        .where(in_year, Response.duration_s.is_not(None))
        .group_by(Response.survey_id, Response.duration_s)
    ):
        histograms.setdefault(survey_id, {})[duration] = n
    for survey_id, histogram in histograms.items():
        limit = speed_limit(histogram)
        if limit is None:
            continue
        fast = db.session.scalars(
            sa.select(Response.id).where(
                Response.survey_id == survey_id, Response.duration_s < limit.limit_s
            )
        ).all()
        flags[survey_id].append(speeders(limit, fast))


def _bursts(surveys, in_year, flags):
    seconds = _epoch_seconds(Response.submitted_at)
    spans = {
        survey_id: (first, last)
        for survey_id, first, last in db.session.execute(
            sa.select(Response.survey_id, sa.func.min(seconds), sa.func.max(seconds))
            .where(in_year)
            .group_by(Response.survey_id)
        )
    }
    totals: dict[int, dict[str, int]] = {}
    for survey_id, code, n in db.session.execute(
        sa.select(Response.survey_id, Unit.code, sa.func.count())
        .select_from(Response)
        .join(Unit, Unit.id == Response.unit_id)
        .where(in_year)
        .group_by(Response.survey_id, Unit.code)
    ):
        totals.setdefault(survey_id, {})[code] = n
    window = _window(Response.submitted_at)
    busy: dict[int, list[tuple[Window, int, int]]] = {}
    for survey_id, code, unit_id, number, n in db.session.execute(
        sa.select(Response.survey_id, Unit.code, Response.unit_id, window, sa.func.count())
        .select_from(Response)
        .join(Unit, Unit.id == Response.unit_id)
        .where(in_year)
        .group_by(Response.survey_id, Unit.code, Response.unit_id, window)
        .having(sa.func.count() >= MIN_BURST)
    ):
        start = datetime.fromtimestamp(number * WINDOW_SECONDS, tz=timezone.utc)
        busy.setdefault(survey_id, []).append((Window(code, start, int(n)), unit_id, number))
    for survey in surveys:
        if survey.id not in busy:
            continue
        first, last = spans[survey.id]
        start = int(survey.opens_at.timestamp()) if survey.opens_at else int(first)
        end = int(survey.closes_at.timestamp()) if survey.closes_at else int(last)
        open_windows = max(1, (max(end, int(last)) - min(start, int(first))) // WINDOW_SECONDS + 1)
        where = {(w.unit, w.start): (unit_id, number) for w, unit_id, number in busy[survey.id]}
        windows = [w for w, _u, _n in busy[survey.id]]
        for burst in bursts(windows, totals.get(survey.id, {}), open_windows):
            unit_id, _number = where[(burst.unit, burst.start)]
            # A range on submitted_at, so the (survey, village, time) index finds the window.
            ids = db.session.scalars(
                sa.select(Response.id).where(
                    Response.survey_id == survey.id,
                    Response.unit_id == unit_id,
                    Response.submitted_at >= burst.start,
                    Response.submitted_at < burst.start + timedelta(seconds=WINDOW_SECONDS),
                )
            ).all()
            flags[survey.id].append(burst_flag(burst, ids))


def _id_list(column):
    """An aggregate joining the group's ids with commas (one row per group, no join back)."""
    if db.engine.dialect.name == "sqlite":
        return sa.func.group_concat(column, ",")
    return sa.func.string_agg(sa.cast(column, sa.Text), ",")


def _duplicates(in_year, flags):
    groups: dict[int, list[tuple[str, list[int]]]] = {}
    for survey_id, digest, ids in db.session.execute(
        sa.select(Response.survey_id, Response.answers_digest, _id_list(Response.id))
        .where(in_year)
        .group_by(Response.survey_id, Response.answers_digest)
        .having(sa.func.count() > 1)
    ):
        groups.setdefault(survey_id, []).append((digest, [int(i) for i in ids.split(",")]))
    for survey_id, members in groups.items():
        flags[survey_id].extend(duplicates(sorted(members)))


def survey_integrity(survey: Survey) -> SurveyIntegrity:
    """The flags of one survey, in a scan of its own (for callers outside an evaluation)."""
    from survey.year_scan import year_scan

    with year_scan(survey.year):
        return year_integrity([survey])[0]
