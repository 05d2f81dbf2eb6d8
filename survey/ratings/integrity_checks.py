"""Integrity flags of a year's surveys, marked in the database (analytics.integrity's rules):
speeders, straight-liners, bursts, duplicates, and paper sheets beyond PAPER_SHARE_FLAG of a
survey or counted from a typing faster than a person types (survey.paper).

Runs inside `flag_tables()`: each check is one grouped query for the whole year, and the
responses it flags are written into the scan's FLAGGED table by INSERT ... SELECT, so no
response id travels to Python. What comes back is a count per survey and check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app

from analytics import (
    DUPLICATE_MIN_GROUP,
    STRAIGHT_LINE_MIN_ITEMS,
    WINDOW_SECONDS,
    FlagSummary,
    Window,
    bursts,
    paper_share_exceeded,
    speed_limit,
)
from survey.core.extensions import db
from survey.models import FastSheet, PaperTyping, Response, Survey, Unit
from survey.ratings.year_scan import FLAGGED, REPEATED, flag_tables, mark_straight_lining
from survey.responses.release import counted_among

MIN_BURST = 5


@dataclass(frozen=True)
class SurveyIntegrity:
    """What the checks flagged in one survey."""

    survey_code: str
    flags: tuple[FlagSummary, ...]


def epoch_seconds(column):
    """Seconds since 1970 of a stored UTC timestamp, in SQL on either database."""
    if db.engine.dialect.name == "sqlite":
        return sa.cast(sa.func.strftime("%s", column), sa.Float)
    return sa.func.extract("epoch", column)


def _window(column):
    return sa.cast(sa.func.floor(epoch_seconds(column) / WINDOW_SECONDS), sa.BigInteger)


def _mark(kind, survey_id, query):
    """INSERT the ids `query` selects into FLAGGED as `kind` for `survey_id`."""
    rows = sa.select(query.c.id, sa.literal(kind), sa.literal(survey_id)).select_from(query)
    db.session.execute(FLAGGED.insert().from_select(["response_id", "kind", "survey_id"], rows))


def year_integrity(surveys) -> tuple[SurveyIntegrity, ...]:
    """Mark and count the flags of each of `surveys` (one year's, inside `flag_tables()`)."""
    ids = [s.id for s in surveys]
    if not ids:
        return ()
    in_year = counted_among(surveys, Response.released)
    flags: dict[int, list[FlagSummary]] = {s.id: [] for s in surveys}
    _speeders(in_year, flags)
    for survey_id, n in mark_straight_lining(in_year, STRAIGHT_LINE_MIN_ITEMS).items():
        if survey_id in flags:
            flags[survey_id].append(FlagSummary("straight_liner", n, n))
    _bursts(surveys, in_year, flags)
    _duplicates(in_year, flags)
    _paper_share(in_year, flags)
    _paper_fast(ids, in_year, flags)
    return tuple(SurveyIntegrity(s.code, tuple(flags[s.id])) for s in surveys)


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
        fast = sum(n for duration, n in histogram.items() if duration < limit.limit_s)
        if not fast:
            continue
        _mark(
            "speeder",
            survey_id,
            sa.select(Response.id)
            .where(in_year, Response.survey_id == survey_id, Response.duration_s < limit.limit_s)
            .subquery(),
        )
        flags[survey_id].append(FlagSummary("speeder", fast, fast))


def _bursts(surveys, in_year, flags):
    seconds = epoch_seconds(Response.submitted_at)
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
    busy: dict[int, list[Window]] = {}
    unit_ids: dict[str, int] = {}
    for survey_id, code, unit_id, number, n in db.session.execute(
        sa.select(Response.survey_id, Unit.code, Response.unit_id, window, sa.func.count())
        .select_from(Response)
        .join(Unit, Unit.id == Response.unit_id)
        .where(in_year)
        .group_by(Response.survey_id, Unit.code, Response.unit_id, window)
        .having(sa.func.count() >= MIN_BURST)
    ):
        start = datetime.fromtimestamp(number * WINDOW_SECONDS, tz=timezone.utc)
        busy.setdefault(survey_id, []).append(Window(code, start, int(n)))
        unit_ids[code] = unit_id
    for survey in surveys:
        if survey.id not in busy:
            continue
        first, last = spans[survey.id]
        start = int(survey.opens_at.timestamp()) if survey.opens_at else int(first)
        end = int(survey.closes_at.timestamp()) if survey.closes_at else int(last)
        open_windows = max(1, (max(end, int(last)) - min(start, int(first))) // WINDOW_SECONDS + 1)
        found = bursts(busy[survey.id], totals.get(survey.id, {}), open_windows)
        for burst in found:
            # A range on submitted_at, so the (survey, village, time) index finds the window.
            _mark(
                "burst",
                survey.id,
                sa.select(Response.id)
                .where(
                    in_year,
                    Response.survey_id == survey.id,
                    Response.unit_id == unit_ids[burst.unit],
                    Response.submitted_at >= burst.start,
                    Response.submitted_at < burst.start + timedelta(seconds=WINDOW_SECONDS),
                )
                .subquery(),
            )
        if found:
            flags[survey.id].append(
                FlagSummary(
                    "burst",
                    sum(b.count for b in found),
                    len(found),
                    tuple(sorted({b.unit for b in found})),
                )
            )


def _duplicates(in_year, flags):
    repeated = (
        sa.select(Response.survey_id, Response.answers_digest, sa.func.count())
        .where(in_year)
        .group_by(Response.survey_id, Response.answers_digest)
        .having(sa.func.count() >= DUPLICATE_MIN_GROUP)
    )
    db.session.execute(
        REPEATED.insert().from_select(["survey_id", "answers_digest", "n"], repeated)
    )
    found = db.session.execute(
        sa.select(REPEATED.c.survey_id, sa.func.count(), sa.func.sum(REPEATED.c.n)).group_by(
            REPEATED.c.survey_id
        )
    ).all()
    if not found:
        return
    # A row-value IN: the database keys the repeated vectors once and probes each response.
    keys = sa.select(REPEATED.c.survey_id, REPEATED.c.answers_digest)
    duplicated = sa.select(Response.id, sa.literal("duplicate"), Response.survey_id).where(
        in_year, sa.tuple_(Response.survey_id, Response.answers_digest).in_(keys)
    )
    db.session.execute(
        FLAGGED.insert().from_select(["response_id", "kind", "survey_id"], duplicated)
    )
    for survey_id, groups, responses in found:
        flags[survey_id].append(FlagSummary("duplicate", int(responses), int(groups)))


def _paper_share(in_year, flags):
    """Every paper sheet of a survey whose sheets are more than PAPER_SHARE_FLAG of its
    responses: which of them is the excess cannot be told, so all are evidence."""
    share = current_app.config["PAPER_SHARE_FLAG"]
    on_paper = Response.channel == "paper"
    for survey_id, total, paper in db.session.execute(
        sa.select(Response.survey_id, sa.func.count(), sa.func.sum(sa.case((on_paper, 1), else_=0)))
        .where(in_year)
        .group_by(Response.survey_id)
    ):
        total, paper = int(total), int(paper or 0)
        if not paper or not paper_share_exceeded(paper, total, share):
            continue
        _mark(
            "paper_share",
            survey_id,
            sa.select(Response.id).where(Response.survey_id == survey_id, on_paper).subquery(),
        )
        flags[survey_id].append(FlagSummary("paper_share", paper, share=round(paper / total, 4)))


def _paper_fast(ids, in_year, flags):
    """The sheets counted from a typing faster than a person types (FastSheet), and who typed
    sheets that fast in each survey (PaperTyping's counts: no sheet is tied to a person)."""
    fast = (
        sa.select(Response.id, sa.literal("paper_fast"), Response.survey_id)
        .join(
            FastSheet,
            sa.and_(
                FastSheet.survey_id == Response.survey_id, FastSheet.sheet_no == Response.sheet_no
            ),
        )
        .where(in_year)
    )
    db.session.execute(FLAGGED.insert().from_select(["response_id", "kind", "survey_id"], fast))
    counts = db.session.execute(
        sa.select(FLAGGED.c.survey_id, sa.func.count())
        .where(FLAGGED.c.kind == "paper_fast")
        .group_by(FLAGGED.c.survey_id)
    ).all()
    if not counts:
        return
    typists: dict[int, list[tuple[str, int]]] = {}
    for survey_id, name, n in db.session.execute(
        sa.select(PaperTyping.survey_id, PaperTyping.typist, PaperTyping.fast_sheets)
        .where(PaperTyping.survey_id.in_(ids), PaperTyping.fast_sheets > 0)
        .order_by(PaperTyping.survey_id, PaperTyping.fast_sheets.desc(), PaperTyping.typist)
    ):
        typists.setdefault(survey_id, []).append((name, int(n)))
    for survey_id, n in counts:
        found = tuple(typists.get(survey_id, ()))
        flags[survey_id].append(
            FlagSummary("paper_fast", int(n), max(1, len(found)), typists=found)
        )


def survey_integrity(survey: Survey) -> SurveyIntegrity:
    """The flags of one survey, in a scan of its own (for callers outside an evaluation)."""
    with flag_tables():
        return year_integrity([survey])[0]
