"""Responses reach figures and exports in batches of at least k (survey.responses.release): two
looks at a survey, or two exports, never differ by one person's answers."""

import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from survey.core.extensions import db as _db
from survey.models import (
    Answer,
    Invitation,
    ReleaseBatch,
    Response,
    ResponseCriterion,
    Unit,
)
from survey.ratings.evaluation import evaluate_year
from survey.reports.results import survey_results
from survey.responses import export
from survey.responses.invitations import create_invitations
from survey.responses.release import batch_size
from survey.responses.submission import uid_digest
from survey.surveys.survey_life import (
    close_survey,
    open_survey,
    release_after_closing,
    release_if_closed,
)
from tests.concurrency import race
from tests.factories import (
    make_defined_survey,
    make_organization,
    make_unit,
    make_user,
    submit_and_commit,
)

QUESTIONS = [
    {"code": "hl", "kind": "likert5", "required": True, "criterion": "satisfaction",
     "text": {"vi": "Hài lòng?"}},
    {"code": "gy", "kind": "text", "text": {"vi": "Góp ý"}},
]  # fmt: skip


@pytest.fixture
def survey(db):
    org = make_organization(db, code="nongdan", name="Hội Nông dân")
    make_unit(db, code="thon1", name="Thôn 1")
    db.session.commit()
    return make_defined_survey(db, questions=QUESTIONS, org=org, year=2025)


_said = iter(range(1, 10**6))


def answer(survey, value, text=None):
    """One web answer from Thôn 1, an hour after the one before, with a comment of its own:
    identical answers, or answers a minute apart, would be flagged (duplicates, a burst) and
    left out of the rating, which is not what these tests are about."""
    n = next(_said)
    answers = {"hl": value, "gy": text or f"Ý kiến số {n}"}
    village = _db.session.scalar(sa.select(Unit.id).where(Unit.code == "thon1"))
    uid = str(uuid.uuid4())
    receipt = submit_and_commit(survey, answers, submission_uid=uid, unit_id=village)
    _db.session.execute(
        sa.update(Response)
        .where(Response.submission_uid == uid_digest(uid))
        .values(submitted_at=datetime(2025, 10, 1, tzinfo=timezone.utc) + timedelta(hours=n))
    )
    _db.session.commit()
    return receipt


def exported(survey):
    """The export's rows without their made-up row ids, in a fixed order."""
    return sorted(tuple(row[1:]) for row in list(export.response_rows(survey))[1:])


def satisfaction_n(year=2025):
    rating = next(r for r in evaluate_year(year).results if r.code == "nongdan").rating
    return next(c.n for c in rating.criteria if c.code == "satisfaction")


def test_responses_count_once_k_of_them_wait_together(db, survey):
    k = batch_size()
    assert k == 5  # the commune's SUPPRESSION_K
    for _ in range(k - 1):
        answer(survey, 4)
    assert survey_results(survey)["n"] == 0 and exported(survey) == []
    answer(survey, 2)
    assert survey_results(survey)["n"] == k and len(exported(survey)) == k
    batches = db.session.execute(sa.select(ReleaseBatch.survey_id, ReleaseBatch.responses)).all()
    assert batches == [(survey.id, k)]
    assert db.session.scalar(sa.select(sa.func.count()).where(~Response.released)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(~ResponseCriterion.released)) == 0


def test_two_exports_a_response_apart_are_the_same(db, survey):
    """The red team's export differencing: before, the second export held exactly the one
    new response, with all its answers and its free text."""
    for value in (5, 4, 4, 3, 5):
        answer(survey, value)
    before = exported(survey)
    answer(survey, 1, "Tôi là người duy nhất viết điều này")
    assert exported(survey) == before
    assert survey_results(survey) == survey_results(survey) and survey_results(survey)["n"] == 5
    # The rating moves with a batch too, never with one response.
    assert satisfaction_n() == 5


def test_a_closed_survey_counts_every_response_and_still_does_if_reopened(db, survey):
    for _ in range(3):
        answer(survey, 4)
    assert survey_results(survey)["n"] == 0
    # As the builder's views do: the change, its commit, then what follows the commit.
    close_survey(survey)
    db.session.commit()
    release_after_closing(survey)
    assert survey_results(survey)["n"] == 3 and len(exported(survey)) == 3
    release_if_closed(survey)
    open_survey(survey)
    db.session.commit()
    assert survey_results(survey)["n"] == 3
    assert satisfaction_n() == 3


def test_the_closing_time_passing_counts_every_response(db, survey):
    from datetime import timedelta

    from survey.models import utcnow

    for _ in range(2):
        answer(survey, 4)
    survey.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert survey_results(survey)["n"] == 2 and satisfaction_n() == 2


def test_racing_phones_never_make_a_batch_smaller_than_k(app, db, survey):
    outcomes, errors = race(app, survey, 12, lambda s: answer(s, 3).created)
    assert errors == [] and outcomes == [True] * 12
    sizes = db.session.scalars(sa.select(ReleaseBatch.responses)).all()
    assert sizes and all(size >= batch_size() for size in sizes)
    released = db.session.scalar(sa.select(sa.func.count()).where(Response.released))
    assert released == sum(sizes) and 12 - released < batch_size()


def test_integrity_checks_look_only_at_released_responses(db, survey):
    from survey.ratings.integrity_checks import survey_integrity

    for _ in range(5):
        answer(survey, 3, "giống nhau")
    # A sixth answer, identical to the five: it waits, and is not among the duplicates yet.
    answer(survey, 3, "giống nhau")
    duplicates = {f.kind: f.responses for f in survey_integrity(survey).flags}
    assert duplicates.get("duplicate") == 5


def test_the_survey_page_says_how_the_figures_grow(client, db, survey, login):
    make_user(db, username="chutich", role="committee")
    db.session.commit()
    for _ in range(7):
        answer(survey, 4)
    login("chutich", "a-long-password")
    html = client.get(f"/dashboard/survey/{survey.code}").get_data(as_text=True)
    assert "đang tính 5 phiếu trả lời" in html and "mỗi đợt ít nhất" in html
    assert "2 phiếu mới đang chờ đợt sau" in html


@pytest.mark.postgresql
def test_a_used_slip_no_longer_carries_its_response_s_transaction(db):
    """PostgreSQL stamps each row with the transaction that wrote it (xmin): a slip used up in
    the same transaction as its answers would share their stamp, and so lead to them. The
    release writes the used slips again, in its own transaction."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL): SQLite keeps no such stamp")
    member = make_defined_survey(db, questions=QUESTIONS[:1], audience="member")
    unit = make_unit(db, code="thon9")
    codes = create_invitations(member, unit, batch_size())
    db.session.commit()
    for code in codes:
        submit_and_commit(member, {"hl": 4}, submission_uid=str(uuid.uuid4()), invitation_code=code)
    xmin = sa.literal_column("xmin::text::bigint")
    slips = set(db.session.scalars(sa.select(xmin).select_from(Invitation.__table__)))
    answers = set(db.session.scalars(sa.select(xmin).select_from(Answer.__table__)))
    assert len(answers) == batch_size() and not slips & answers


def test_a_village_whose_answers_all_wait_is_named_nowhere(client, db, login):
    """The inbox names a feedback item's village only where the results show it: a village
    none of whose answers counts yet is in no result, so its one comment is not named."""
    from survey.models import FeedbackItem

    org = make_organization(db, code="phunu", name="Hội Phụ nữ")
    village = make_unit(db, code="thonmot", name="Thôn Một")
    make_user(db, username="vanphong", role="admin")
    db.session.commit()
    feedback = {"code": "gy", "kind": "text", "feedback": True, "text": {"vi": "Góp ý"}}
    survey = make_defined_survey(db, questions=[feedback], org=org)

    def say(text):
        uid = str(uuid.uuid4())
        submit_and_commit(survey, {"gy": text}, submission_uid=uid, unit_id=village.id)

    say("Giếng làng hỏng đã lâu")
    login("vanphong", "a-long-password")
    item = db.session.scalar(sa.select(FeedbackItem.id))
    page = client.get(f"/manage/feedback/{item}").get_data(as_text=True)
    assert "Giếng làng hỏng đã lâu" in page and "Thôn Một" not in page
    for n in range(batch_size()):
        say(f"Ý kiến số {n}")
    page = client.get(f"/manage/feedback/{item}").get_data(as_text=True)
    assert "Thôn Một" in page
