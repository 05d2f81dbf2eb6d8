"""A survey's results from GROUP BY queries: per question, per criterion, per village."""

from __future__ import annotations

import sqlalchemy as sa

from analytics import (
    CriterionConsistency,
    QuestionCounts,
    cronbach_alpha,
    question_result,
    results_document,
)
from survey.commune.settings import setting
from survey.core.extensions import db
from survey.models import Answer, Option, Response, Unit
from survey.responses.release import counted

COUNTED_KINDS = ("likert5", "single", "multi", "yesno", "number", "nps")
ALL = "all"  # the key of the whole survey's counts, beside the village ids


def _question_counts(survey):
    """QuestionCounts per village id (None: no village) and for the whole survey, from one
    GROUP BY over the survey's answers (text questions are not counted). A response belongs
    to one village, so the survey's counts are the sums of the villages'."""
    per_value = db.session.execute(
        sa.select(Response.unit_id, Answer.question_id, Option.code, Answer.number, sa.func.count())
        .join(Response, Response.id == Answer.response_id)
        .outerjoin(Option, Option.id == Answer.option_id)
        .where(
            Response.survey_id == survey.id,
            counted(survey, Response.released),
            Answer.kind.in_(COUNTED_KINDS),
        )
        .group_by(Response.unit_id, Answer.question_id, Option.code, Answer.number)
    ).all()
    respondents = db.session.execute(
        sa.select(
            Response.unit_id, Answer.question_id, sa.func.count(sa.distinct(Answer.response_id))
        )
        .join(Response, Response.id == Answer.response_id)
        .where(
            Response.survey_id == survey.id,
            counted(survey, Response.released),
            Answer.kind.in_(COUNTED_KINDS),
        )
        .group_by(Response.unit_id, Answer.question_id)
    ).all()
    counts: dict[object, dict[int, dict]] = {}
    answered: dict[object, dict[int, int]] = {}
    for unit_id, question_id, option_code, number, n in per_value:
        key = option_code if option_code is not None else number
        for group in (unit_id, ALL):
            values = counts.setdefault(group, {}).setdefault(question_id, {})
            values[key] = values.get(key, 0) + n
    for unit_id, question_id, n in respondents:
        for group in (unit_id, ALL):
            per_question = answered.setdefault(group, {})
            per_question[question_id] = per_question.get(question_id, 0) + n
    return {
        group: [
            QuestionCounts(
                q.code,
                q.kind,
                int(answered.get(group, {}).get(q.id, 0)),
                counts.get(group, {}).get(q.id, {}),
            )
            for q in survey.questions
            if q.kind in COUNTED_KINDS
        ]
        for group in {*counts, ALL}
    }


def _consistency(survey):
    """Cronbach's alpha per criterion tag over its likert items, complete cases, in SQL."""
    by_criterion = {}
    for q in survey.questions:
        if q.kind == "likert5" and q.criterion:
            by_criterion.setdefault(q.criterion, []).append(q.id)
    out = []
    for criterion, ids in sorted(by_criterion.items()):
        # One row per response with its answer to each item (one answer per likert item),
        # then the sums over the complete rows: a single pass over the answers, no self-join.
        per = (
            sa.select(
                *(
                    sa.func.max(sa.case((Answer.question_id == qid, Answer.number))).label(f"x{i}")
                    for i, qid in enumerate(ids)
                )
            )
            .join(Response, Response.id == Answer.response_id)
            .where(
                Response.survey_id == survey.id,
                counted(survey, Response.released),
                Answer.question_id.in_(ids),
            )
            .group_by(Answer.response_id)
            .subquery()
        )
        values = [per.c[f"x{i}"] for i in range(len(ids))]
        per_total = sum(values[1:], values[0])
        row = db.session.execute(
            sa.select(
                sa.func.count(),
                sa.func.sum(per_total),
                sa.func.sum(per_total * per_total),
                *(sa.func.sum(v) for v in values),
                *(sa.func.sum(v * v) for v in values),
            ).where(*(v.is_not(None) for v in values))
        ).one()
        n, total, squares = row[:3]
        sums, sums_of_squares = row[3 : 3 + len(ids)], row[3 + len(ids) :]
        items = {
            qid: (float(s or 0), float(sq or 0))
            for qid, s, sq in zip(ids, sums, sums_of_squares, strict=True)
        }
        n = int(n or 0)
        alpha = None
        if n:
            alpha = cronbach_alpha(
                n,
                [items[i][0] for i in ids],
                [items[i][1] for i in ids],
                float(total or 0),
                float(squares or 0),
            )
        out.append(CriterionConsistency(criterion, len(ids), n, alpha))
    return out


def survey_results(survey) -> dict:
    """The Results JSON of `survey` (docs/contract.md#results-json), small villages
    suppressed, over the responses released so far (survey.responses.release)."""
    respondents = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Response)
        .where(Response.survey_id == survey.id, counted(survey, Response.released))
    )
    counts = _question_counts(survey)
    questions = [question_result(c) for c in counts[ALL]]
    units = db.session.execute(
        sa.select(Unit.id, Unit.code, sa.func.count())
        .join(Response, Response.unit_id == Unit.id)
        .where(Response.survey_id == survey.id, counted(survey, Response.released))
        .group_by(Unit.id, Unit.code)
    ).all()
    by_unit = {
        code: (int(n), [question_result(c) for c in counts.get(unit_id, [])])
        for unit_id, code, n in units
    }
    return results_document(
        survey.code,
        int(respondents or 0),
        questions,
        _consistency(survey),
        by_unit,
        int(setting("SUPPRESSION_K")),
    )
