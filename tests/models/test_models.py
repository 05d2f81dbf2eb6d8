"""The database itself refuses bad rows, on SQLite and PostgreSQL alike."""

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from survey.models import (
    AnnualIndicator,
    Answer,
    Evaluation,
    FeedbackItem,
    Option,
    Organization,
    Question,
    ReceiptCode,
    Response,
    Survey,
    User,
)
from tests.factories import make_organization, make_survey, make_unit, make_user


def add_response(db, survey, **overrides):
    fields = {
        "survey": survey,
        "submission_uid": "00000000-0000-4000-8000-000000000001",
        "answers_digest": "0" * 64,
    } | overrides
    response = Response(**fields)
    db.session.add(response)
    db.session.flush()
    return response


def answer(db, response, question, **values):
    db.session.add(
        Answer(response_id=response.id, question_id=question.id, kind=question.kind, **values)
    )
    db.session.flush()


@pytest.fixture
def survey(db):
    s = make_survey(
        db,
        questions=[
            {"code": "q1", "kind": "likert5"},
            {"code": "q2", "kind": "single"},
            {"code": "q3", "kind": "nps"},
            {"code": "q4", "kind": "yesno"},
            {"code": "q5", "kind": "text"},
        ],
    )
    s.questions[1].options = [
        Option(code="a", label={"vi": "A"}, value=1, position=0),
        Option(code="b", label={"vi": "B"}, value=2, position=1),
    ]
    db.session.commit()
    return s


def refused(db, action):
    """Run `action`; True when the database raised IntegrityError (session rolled back)."""
    try:
        action()
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return True
    return False


def test_valid_answers_of_every_kind_are_stored(db, survey):
    response = add_response(db, survey)
    q1, q2, q3, q4, q5 = survey.questions
    answer(db, response, q1, number=5)
    answer(db, response, q2, option_id=q2.options[0].id)
    answer(db, response, q3, number=0)
    answer(db, response, q4, number=1)
    answer(db, response, q5, text="Đường làng cần sửa.")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 5


@pytest.mark.parametrize(
    ("position", "values"),
    [
        (0, {"number": 6}),  # likert above 5
        (0, {"number": 0}),  # likert below 1
        (0, {"number": 3.5}),  # likert not whole
        (2, {"number": 11}),  # nps above 10
        (3, {"number": 2}),  # yes/no is 1 or 0
        (1, {"number": 1}),  # single choice without an option
        (4, {"number": 1}),  # text answer without text
    ],
)
def test_answer_values_outside_their_kind_are_refused(db, survey, position, values):
    response = add_response(db, survey)
    question = survey.questions[position]
    assert refused(db, lambda: answer(db, response, question, **values))


def test_answer_option_must_belong_to_its_question(db, survey):
    other = make_survey(db, questions=[{"code": "x", "kind": "single"}])
    other.questions[0].options = [Option(code="z", label={"vi": "Z"}, position=0)]
    response = add_response(db, survey)
    db.session.commit()
    foreign_option = other.questions[0].options[0].id
    assert refused(db, lambda: answer(db, response, survey.questions[1], option_id=foreign_option))


def test_answer_kind_must_match_its_question(db, survey):
    response = add_response(db, survey)
    q1 = survey.questions[0]
    assert refused(
        db,
        lambda: db.session.add(
            Answer(response_id=response.id, question_id=q1.id, kind="number", number=42)
        ),
    )


def test_question_kind_cannot_change_once_answered(db, survey):
    response = add_response(db, survey)
    answer(db, response, survey.questions[0], number=4)
    db.session.commit()

    def change():
        db.session.execute(
            sa.update(Question).where(Question.id == survey.questions[0].id).values(kind="number")
        )

    assert refused(db, change)


def test_unique_codes(db, survey):
    assert refused(db, lambda: make_survey(db, code=survey.code))
    assert refused(
        db,
        lambda: db.session.add(
            Question(survey_id=survey.id, code="q1", kind="text", text={"vi": "?"})
        ),
    )
    q2_id = db.session.scalar(sa.select(Question.id).where(Question.code == "q2"))
    assert refused(
        db,
        lambda: db.session.add(Option(question_id=q2_id, code="a", label={"vi": "again"})),
    )


def add_receipt(db, survey, code):
    db.session.add(ReceiptCode(code=code, survey_id=survey.id))
    db.session.flush()


def test_submission_uid_is_unique_per_survey_and_receipt_everywhere(db, survey):
    add_response(db, survey)
    add_receipt(db, survey, "ABCDEFGH")
    db.session.commit()
    assert refused(db, lambda: add_response(db, survey))
    other = make_survey(db)
    # The same uid in another survey is fine; the same receipt is not.
    add_response(db, other)
    db.session.commit()
    assert refused(db, lambda: add_receipt(db, other, "ABCDEFGH"))


def test_receipt_has_eight_characters_and_sheets_are_paper_only(db, survey):
    assert refused(db, lambda: add_receipt(db, survey, "SHORT"))
    assert refused(db, lambda: add_response(db, survey, receipt_attempt=-1))
    assert refused(db, lambda: add_response(db, survey, channel="web", sheet_no="thon1-0001"))
    assert refused(db, lambda: add_response(db, survey, channel="sms"))


@pytest.mark.parametrize(
    "make",
    [
        lambda db: make_survey(db, audience="everyone"),
        lambda db: make_survey(db, topic="gossip"),
        lambda db: make_survey(db, status="archived"),
        lambda db: make_survey(db, year=1990),
        lambda db: make_survey(
            db,
            opens_at=datetime(2025, 12, 1, tzinfo=timezone.utc),
            closes_at=datetime(2025, 11, 1, tzinfo=timezone.utc),
        ),
        lambda db: make_survey(db, questions=[{"code": "q", "kind": "slider"}]),
        lambda db: make_organization(db, members_count=-1),
        lambda db: make_unit(db, adult_population=-5),
        lambda db: make_user(db, role="superuser"),
        lambda db: make_user(db, role="org_officer"),  # without its organization
        lambda db: make_user(db, role="unit_officer"),  # without its village
    ],
    ids=[
        "audience",
        "topic",
        "status",
        "year",
        "dates",
        "kind",
        "members",
        "population",
        "role",
        "org_officer",
        "unit_officer",
    ],
)
def test_check_constraints_refuse_bad_values(db, make):
    assert refused(db, lambda: make(db))


def test_indicator_counts_rates_and_uniqueness(db):
    org = make_organization(db)
    db.session.commit()
    assert refused(
        db, lambda: db.session.add(AnnualIndicator(organization=org, year=2025, new_members=-1))
    )
    assert refused(
        db,
        lambda: db.session.add(AnnualIndicator(organization=org, year=2025, attendance_rate=1.2)),
    )
    assert refused(
        db,
        lambda: db.session.add(
            AnnualIndicator(
                organization=org, year=2025, recommendations_issued=3, recommendations_answered=4
            )
        ),
    )
    db.session.add(AnnualIndicator(organization=org, year=2025, members_end=100))
    db.session.commit()
    assert refused(db, lambda: db.session.add(AnnualIndicator(organization_id=org.id, year=2025)))


def test_evaluation_tier_score_and_uniqueness(db):
    org = make_organization(db)
    db.session.commit()
    fields = {
        "organization_id": org.id,
        "year": 2025,
        "details": {},
        "ruleset_name": "default",
        "ruleset_text": "",
        "data_digest": "x",
    }
    assert refused(db, lambda: db.session.add(Evaluation(score=80, tier="gioi", **fields)))
    assert refused(db, lambda: db.session.add(Evaluation(score=120, tier="tot", **fields)))
    db.session.add(Evaluation(score=80, tier="tot", **fields))
    db.session.commit()
    assert refused(db, lambda: db.session.add(Evaluation(score=60, tier="hoan_thanh", **fields)))


def test_feedback_status_and_publication_need_a_reply(db):
    org = make_organization(db)
    db.session.commit()
    assert refused(
        db, lambda: db.session.add(FeedbackItem(organization_id=org.id, text="?", status="lost"))
    )
    assert refused(
        db, lambda: db.session.add(FeedbackItem(organization_id=org.id, text="?", published=True))
    )


def test_restricting_foreign_keys(db, survey):
    org = make_organization(db)
    survey.organizations.append(org)
    add_response(db, survey)
    db.session.commit()
    # An organization a survey is about, or a survey with responses, cannot be deleted.
    assert refused(
        db, lambda: db.session.execute(sa.delete(Organization).where(Organization.id == org.id))
    )
    assert refused(db, lambda: db.session.execute(sa.delete(Survey).where(Survey.id == survey.id)))


def test_deleting_a_draft_survey_removes_its_questions_and_options(db, survey):
    survey_id = survey.id
    db.session.commit()
    db.session.execute(sa.delete(Survey).where(Survey.id == survey_id))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Option)) == 0


def test_timestamps_come_back_timezone_aware_utc(db):
    user = make_user(db)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(User, user.id).created_at
    assert stored.tzinfo is not None and stored.utcoffset().total_seconds() == 0
