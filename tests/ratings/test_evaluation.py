"""The evaluation glue: SQL aggregates per village and organization, feedback timing,
integrity flags and the year's ratings, on a small commune whose numbers are worked by hand."""

from datetime import datetime, timedelta, timezone
from itertools import count

import pytest
import sqlalchemy as sa

from analytics.report import evaluation_document
from survey.models import FeedbackItem, Response
from survey.ratings.evaluation import evaluate_year, feedback_counts
from survey.ratings.integrity_checks import survey_integrity
from survey.ratings.year_scan import survey_counts
from tests.factories import (
    make_indicator,
    make_organization,
    make_survey,
    make_unit,
    save_setting,
    submit_and_commit,
)

_uid = count(1)
SATISFACTION = [
    {"code": f"hl{i}", "kind": "likert5", "criterion": "satisfaction"} for i in range(1, 3)
]


def answer(db, survey, unit, values, *, at=None, duration=None):
    """One web response with likert answers hl1, hl2 = values; optional time and duration."""
    submit_and_commit(
        survey,
        dict(zip(("hl1", "hl2"), values, strict=False)),
        submission_uid=f"uid-{next(_uid)}",
        unit_id=unit.id,
    )
    if at is not None or duration is not None:
        last = db.session.scalar(sa.select(sa.func.max(Response.id)))
        changes = {}
        if at is not None:
            changes["submitted_at"] = at
        if duration is not None:
            changes["duration_s"] = duration
        db.session.execute(sa.update(Response).where(Response.id == last).values(**changes))
        db.session.commit()


def counting_flagged(db, exclude=False):
    """Save the commune's rule set with `[integrity] exclude_flagged` set to `exclude`."""
    value = "true" if exclude else "false"
    save_setting(db, "RULES_TOML", value=f"[integrity]\nexclude_flagged = {value}\n")
    db.session.commit()


@pytest.fixture
def commune(db):
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân")
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ")
    thon1 = make_unit(db, code="thon1", adult_population=300)
    thon2 = make_unit(db, code="thon2", adult_population=100)
    # Closed: every response counts at once (open, they would count in batches of k).
    survey = make_survey(db, SATISFACTION, code="hl-nongdan", status="closed", year=2025)
    survey.organizations.append(nongdan)
    db.session.commit()
    return {"nongdan": nongdan, "phunu": phunu, "thon1": thon1, "thon2": thon2, "survey": survey}


def test_each_respondent_counts_once_with_the_share_of_top2_answers(db, commune):
    s, t1, t2 = commune["survey"], commune["thon1"], commune["thon2"]
    answer(db, s, t1, (5, 4))  # 2 of 2 top
    answer(db, s, t1, (5, 2))  # 1 of 2
    answer(db, s, t2, (1, 1))  # 0 of 2
    answer(db, s, t2, (4,))  # 1 of 1 answered
    counts = survey_counts(2025)["satisfaction"]
    rows = {r.unit: (r.respondents, r.top2) for r in counts[commune["nongdan"].id]}
    assert rows == {"thon1": (2, 1.5), "thon2": (2, 1.0)}
    assert commune["phunu"].id not in counts


def test_an_untagged_question_counts_for_every_evaluated_organization_a_tagged_one_for_its_own(
    db, commune
):
    both = make_survey(
        db,
        [
            {"code": "hl1", "kind": "likert5", "criterion": "supervision"},
            {
                "code": "hl2",
                "kind": "likert5",
                "criterion": "supervision",
                "organization_id": commune["phunu"].id,
            },
        ],
        code="giamsat",
        status="closed",
        year=2025,
    )
    both.organizations.extend([commune["nongdan"], commune["phunu"]])
    db.session.commit()
    answer(db, both, commune["thon1"], (5, 1))
    counts = survey_counts(2025)["supervision"]
    nongdan = counts[commune["nongdan"].id]
    phunu = counts[commune["phunu"].id]
    assert [(r.respondents, r.top2) for r in nongdan] == [(1, 1.0)]  # hl1 only
    assert [(r.respondents, r.top2) for r in phunu] == [(1, 0.5)]  # hl1 (untagged) and hl2


def test_drafts_and_other_years_do_not_count(db, commune):
    draft = make_survey(db, SATISFACTION, code="nhap", status="draft", year=2025)
    draft.organizations.append(commune["nongdan"])
    db.session.commit()
    answer(db, draft, commune["thon1"], (5, 5))
    assert survey_counts(2025)["satisfaction"] == {}
    answer(db, commune["survey"], commune["thon1"], (5, 5))
    assert survey_counts(2024)["satisfaction"] == {}


def test_feedback_answered_within_the_limit_counts_by_received_year(db, commune):
    org = commune["nongdan"]
    received = datetime(2025, 3, 1, 3, 0, tzinfo=timezone.utc)
    for days in (None, 10, 29.9, 31, 45):
        db.session.add(
            FeedbackItem(
                organization_id=org.id,
                text="Đường thôn 1 hỏng",
                received_at=received,
                answered_at=None if days is None else received + timedelta(days=days),
                status="new" if days is None else "answered",
            )
        )
    # Received on 31 December 2024 at 23:00 in Vietnam (16:00 UTC): belongs to 2024.
    db.session.add(
        FeedbackItem(
            organization_id=org.id,
            text="Cũ",
            received_at=datetime(2024, 12, 31, 16, 0, tzinfo=timezone.utc),
        )
    )
    db.session.commit()
    counts = feedback_counts(2025, 30)[org.id]
    assert (counts.received, counts.answered_in_time) == (5, 2)
    assert feedback_counts(2025, 31)[org.id].answered_in_time == 3
    assert feedback_counts(2024, 30)[org.id].received == 1


def test_a_stuffed_evening_is_flagged_three_ways_and_makes_the_criterion_sensitive(db, commune):
    s, t1, t2 = commune["survey"], commune["thon1"], commune["thon2"]
    start = datetime(2025, 10, 1, 0, 0, tzinfo=timezone.utc)
    # 60 honest answers over 30 days, mostly unsatisfied, 5 minutes each.
    for i in range(60):
        values = (2, 3) if i % 3 else (4, 2)
        answer(db, s, t1 if i % 2 else t2, values, at=start + timedelta(hours=12 * i), duration=300)
    # One evening in thôn 2: 20 identical all-5 answers in eight minutes, 20 seconds each.
    evening = datetime(2025, 10, 20, 13, 0, tzinfo=timezone.utc)
    for i in range(20):
        answer(db, s, t2, (5, 5), at=evening + timedelta(seconds=20 * i), duration=20)
    integrity = survey_integrity(s)
    kinds = {f.kind: f for f in integrity.flags}
    assert set(kinds) >= {"speeder", "burst", "duplicate"}
    assert kinds["speeder"].responses == 20
    assert kinds["burst"].units == ("thon2",) and kinds["burst"].responses == 20
    # The evening is one group of identical answers; with two questions, honest answers
    # repeat too (duplicates are evidence, not proof).
    assert kinds["duplicate"].responses >= 20

    # With the rule set's choice off, the flagged responses count and the criterion they
    # change is marked (the behaviour before the choice existed).
    counting_flagged(db)
    evaluation = evaluate_year(2025)
    nongdan = next(r for r in evaluation.results if r.code == "nongdan")
    assert nongdan.sensitive == ("satisfaction",)
    document = evaluation_document(2025, evaluation.rules, evaluation.results)
    criterion = next(
        c for c in document["organizations"][0]["criteria"] if c["code"] == "satisfaction"
    )
    assert criterion["sensitive"] is True
    assert criterion["n"] == 80


def test_the_year_rates_every_organization_from_its_figures(db, commune):
    org = commune["nongdan"]
    make_indicator(db, org, recommendations_issued=4, recommendations_answered=4)
    db.session.commit()
    evaluation = evaluate_year(2025, "nongdan")
    assert [r.code for r in evaluation.results] == ["nongdan"]
    rating = evaluation.results[0].rating
    # Every indicator criterion met (75 of 100 points); no survey answers and no feedback:
    # satisfaction, supervision_quality and feedback_answered are insufficient (25 points),
    # so the 75 points are scaled to 100.
    assert rating.score == pytest.approx(100)
    assert {c.code for c in rating.criteria if c.status == "insufficient"} == {
        "satisfaction",
        "supervision_quality",
        "feedback_answered",
    }
    # phunu entered nothing: not rated (rather than failing), every figure missing.
    everyone = evaluate_year(2025)
    phunu = next(r for r in everyone.results if r.code == "phunu").rating
    assert phunu.tier == "chua_du_can_cu" and not phunu.rated
    assert {c.status for c in phunu.criteria if c.source == "indicators"} == {"missing"}


def test_comparisons_year_over_year_and_across_organizations(db, commune):
    from survey.ratings.evaluation import comparisons

    counting_flagged(db)  # two questions, a few patterns: every answer is someone's duplicate

    last_year = make_survey(db, SATISFACTION, code="hl-nongdan-2024", status="closed", year=2024)
    last_year.organizations.append(commune["nongdan"])
    phunu = make_survey(db, SATISFACTION, code="hl-phunu", status="closed", year=2025)
    phunu.organizations.append(commune["phunu"])
    db.session.commit()
    t1 = commune["thon1"]
    for values in [(2, 3)] * 3 + [(4, 4)]:
        answer(db, last_year, t1, values)  # 2024: 2 of 8 answers top-2
    for values in [(5, 4)] * 3 + [(3, 2)]:
        answer(db, commune["survey"], t1, values)  # 2025: 6 of 8
    for values in [(1, 2)] * 4:
        answer(db, phunu, t1, values)  # phunu 2025: 0 of 8
    found = {(c.kind, c.subject, c.criterion): c for c in comparisons(2025)}
    yoy = found[("year_over_year", "nongdan", "satisfaction")]
    assert yoy.groups == ("2024", "2025")
    assert yoy.shares == (0.25, 0.75)
    assert yoy.proportion_test.effect_size == 0.5
    assert ("year_over_year", "phunu", "satisfaction") not in found  # no 2024 survey
    across = found[("across_organizations", "*", "satisfaction")]
    assert across.groups == ("nongdan", "phunu") and across.shares == (0.75, 0.0)
    assert across.rank_test.pvalue < 0.01


def test_straight_lining_and_duplicates_are_counted_in_the_database(db, commune):
    five = [{"code": f"q{i}", "kind": "likert5", "criterion": "satisfaction"} for i in range(5)]
    survey = make_survey(db, five, code="nam-cau", status="open", year=2025)
    survey.organizations.append(commune["nongdan"])
    db.session.commit()
    rows = {
        "a": (5, 5, 5, 5, 5),  # straight, and the same as e
        "b": (3, 3, 3, 3, 3),  # straight
        "c": (1, 2, 3, 4, 5),  # the same as d
        "d": (1, 2, 3, 4, 5),
        "e": (5, 5, 5, 5, 5),
        "f": (2, 2, 2, 2),  # four questions only: not straight-lining
    }
    for uid, values in rows.items():
        submit_and_commit(
            survey,
            {f"q{i}": v for i, v in enumerate(values)},
            submission_uid=uid,
            unit_id=commune["thon1"].id,
        )
    kinds = {f.kind: f for f in survey_integrity(survey).flags}
    assert (kinds["straight_liner"].responses, kinds["duplicate"].responses) == (3, 4)
    assert kinds["duplicate"].groups == 2
