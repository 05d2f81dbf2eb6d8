"""What each response keeps for the evaluation when it is stored, by every way in: its likert
answers counted per criterion and value (ResponseCriterion) and its straight-lining count
(Response.uniform_likert), equal to a recount from its answers."""

import sqlalchemy as sa

from survey.models import Response, ResponseCriterion
from tests.factories import make_defined_survey, make_organization, make_unit, submit_and_commit

RECOUNT = sa.text(
    """
    SELECT a.response_id, r.survey_id, r.unit_id, q.criterion, q.organization_id,
           SUM(CASE WHEN a.number = 1 THEN 1 ELSE 0 END),
           SUM(CASE WHEN a.number = 2 THEN 1 ELSE 0 END),
           SUM(CASE WHEN a.number = 3 THEN 1 ELSE 0 END),
           SUM(CASE WHEN a.number = 4 THEN 1 ELSE 0 END),
           SUM(CASE WHEN a.number = 5 THEN 1 ELSE 0 END)
    FROM answer a JOIN question q ON q.id = a.question_id JOIN response r ON r.id = a.response_id
    WHERE a.kind = 'likert5' AND q.criterion IS NOT NULL
    GROUP BY a.response_id, r.survey_id, r.unit_id, q.criterion, q.organization_id
    """
)
UNIFORM = sa.text(
    """
    SELECT r.id, COALESCE((
        SELECT CASE WHEN MIN(a.number) = MAX(a.number) THEN COUNT(*) ELSE 0 END
        FROM answer a WHERE a.response_id = r.id AND a.kind = 'likert5'), 0)
    FROM response r
    """
)


def key(row):
    return tuple((value is not None, value) for value in row)  # NULLs sort first


def stored(db):
    c = ResponseCriterion
    return sorted(
        (
            tuple(row)
            for row in db.session.execute(
                sa.select(
                    c.response_id,
                    c.survey_id,
                    c.unit_id,
                    c.criterion,
                    c.organization_id,
                    c.n1,
                    c.n2,
                    c.n3,
                    c.n4,
                    c.n5,
                )
            )
        ),
        key=key,
    )


def assert_kept_as_the_answers_say(db):
    assert stored(db) == sorted((tuple(row) for row in db.session.execute(RECOUNT)), key=key)
    uniform = dict(db.session.execute(sa.select(Response.id, Response.uniform_likert)).all())
    assert uniform == dict(db.session.execute(UNIFORM).all())


def likert(code, criterion=None, organization=None):
    question = {"code": code, "kind": "likert5", "text": {"vi": code}}
    if criterion:
        question["criterion"] = criterion
    if organization:
        question["organization"] = organization
    return question


def test_a_web_response_keeps_its_sums_per_criterion_and_organization(db):
    phunu = make_organization(db, code="phunu")
    thon = make_unit(db, code="thon1")
    survey = make_defined_survey(
        db,
        questions=[
            likert("a", "satisfaction"),
            likert("b", "satisfaction"),
            likert("c", "satisfaction", organization="phunu"),
            likert("d", "supervision"),
            likert("e"),  # no criterion: only straight-lining reads it
        ],
        org=phunu,
    )
    submit_and_commit(
        survey, {"a": 5, "b": 2, "c": 4, "d": 1, "e": 3}, submission_uid="u1", unit_id=thon.id
    )
    submit_and_commit(survey, {"a": 4, "b": 4, "c": 4, "d": 4, "e": 4}, submission_uid="u2")
    first, second = db.session.scalars(sa.select(Response.id).order_by(Response.id)).all()
    assert stored(db) == sorted(
        [
            # a = 5 and b = 2 (untagged), c = 4 (phunu's), d = 1 (supervision)
            (first, survey.id, thon.id, "satisfaction", None, 0, 1, 0, 0, 1),
            (first, survey.id, thon.id, "satisfaction", phunu.id, 0, 0, 0, 1, 0),
            (first, survey.id, thon.id, "supervision", None, 1, 0, 0, 0, 0),
            (second, survey.id, None, "satisfaction", None, 0, 0, 0, 2, 0),
            (second, survey.id, None, "satisfaction", phunu.id, 0, 0, 0, 1, 0),
            (second, survey.id, None, "supervision", None, 0, 0, 0, 1, 0),
        ],
        key=key,
    )
    assert dict(db.session.execute(sa.select(Response.id, Response.uniform_likert)).all()) == {
        first: 0,
        second: 5,
    }
    assert_kept_as_the_answers_say(db)


def test_imported_responses_keep_the_same(runner, db, tmp_path):
    make_unit(db, code="thon1")
    survey = make_defined_survey(
        db, questions=[likert("a", "satisfaction"), likert("b", "satisfaction"), likert("c")]
    )
    path = tmp_path / "responses.csv"
    path.write_text(
        "submission_uid,unit,submitted_at,channel,lang,a,b,c\n"
        "p-1,thon1,2025-10-12T09:30,paper,vi,5,5,5\n"
        "p-2,,2025-10-12T10:00,paper,vi,4,1,\n"
        "p-3,thon1,2025-10-12T10:30,paper,vi,,,2\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["responses", "import", survey.code, str(path)])
    assert result.exit_code == 0, result.output
    assert len(stored(db)) == 2  # p-3 answered no question with a criterion
    assert_kept_as_the_answers_say(db)


def test_the_demo_commune_keeps_the_same(runner, db):
    result = runner.invoke(args=["seed-demo", "--responses", "400", "--password", "pw-123456789"])
    assert result.exit_code == 0, result.output
    assert len(stored(db)) > 400
    assert db.session.scalar(sa.select(sa.func.max(Response.uniform_likert))) >= 5
    assert_kept_as_the_answers_say(db)
