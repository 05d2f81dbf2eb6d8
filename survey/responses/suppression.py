"""Which villages each survey hides, for every page, export and filter that names a village.

The rule is analytics.results.suppressed_cells (fewer than SUPPRESSION_K respondents, and the
village that would give a hidden one away), over the same counts as the Results JSON: a
survey's responses per village, those released so far (survey.responses.release). A feedback item, a
flagged burst or an exported row names its village only when that village is shown in the
survey's results; an item whose survey is gone names none, since its village's size can no
longer be known.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from analytics import flags_without_hidden_villages, suppressed_cells
from survey.commune.settings import setting
from survey.core.extensions import db
from survey.models import Response, Survey, Unit
from survey.responses.release import counted_in_joined_survey


def hidden_villages(survey_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """Per survey id, the ids of the villages its results do not show: hidden by the rule, or
    with no response counted yet (one GROUP BY for them all)."""
    ids = sorted(set(survey_ids) - {None})
    sizes: dict[int, dict[int, int]] = {survey_id: {} for survey_id in ids}
    if ids:
        rows = db.session.execute(
            sa.select(Response.survey_id, Response.unit_id, sa.func.count())
            .join(Survey, Survey.id == Response.survey_id)
            .where(
                Response.survey_id.in_(ids),
                Response.unit_id.is_not(None),
                counted_in_joined_survey(Response.released),
            )
            .group_by(Response.survey_id, Response.unit_id)
        )
        for survey_id, unit_id, n in rows:
            sizes[survey_id][unit_id] = int(n)
    k = int(setting("SUPPRESSION_K"))
    villages = frozenset(db.session.scalars(sa.select(Unit.id))) if ids else frozenset()
    # A village none of whose responses counts yet (all waiting for their batch) is in no
    # result: nothing may name it either. It takes no part in the rule's second cell, which
    # is about the villages the results do show.
    return {
        survey_id: suppressed_cells(cells, k) | (villages - set(cells))
        for survey_id, cells in sizes.items()
    }


def hidden_village_codes(survey) -> frozenset[str]:
    """The codes of the villages the results of `survey` hide."""
    hidden = hidden_villages([survey.id])[survey.id]
    if not hidden:
        return frozenset()
    return frozenset(db.session.scalars(sa.select(Unit.code).where(Unit.id.in_(hidden))))


def village_shown(survey_column, unit_column, hidden: dict[int, frozenset[int]]):
    """The SQL condition that a row's (survey, village) is named: a village, of a survey
    whose results show it. `hidden` is hidden_villages() of every survey the rows may have."""
    pairs = [(s, u) for s, units in hidden.items() for u in units]
    condition = sa.and_(unit_column.is_not(None), survey_column.is_not(None))
    if pairs:
        condition = sa.and_(condition, sa.tuple_(survey_column, unit_column).not_in(pairs))
    return condition


def names_village(item, hidden: dict[int, frozenset[int]]) -> bool:
    """Whether a row with `survey_id` and `unit_id` (a feedback item) may name its village."""
    if item.unit_id is None or item.survey_id is None:
        return False
    return item.unit_id not in hidden.get(item.survey_id, frozenset())


def flags_with_villages_hidden(flags: Sequence[dict]) -> list[dict]:
    """Integrity flags (analytics.report.integrity_summary) with the villages their survey's
    results hide replaced by None, and no count where every village is hidden."""
    codes = {flag["survey"] for flag in flags if flag["units"]}
    if not codes:
        return [dict(flag) for flag in flags]
    query = sa.select(Survey.code, Survey.id).where(Survey.code.in_(codes))
    surveys = dict(db.session.execute(query).all())
    hidden = hidden_villages(surveys.values())
    names = dict(db.session.execute(sa.select(Unit.id, Unit.code)).all())
    by_code = {
        code: {names[u] for u in hidden.get(survey_id, ())} for code, survey_id in surveys.items()
    }
    return flags_without_hidden_villages(flags, by_code)
