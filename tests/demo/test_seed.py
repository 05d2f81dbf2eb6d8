"""`flask seed-demo`: deterministic for a seed, idempotent, and telling the intended story."""

import hashlib
import json

import sqlalchemy as sa

from survey.core.extensions import db as _db
from survey.core.local_time import COMMUNE_TIME
from survey.demo import data
from survey.models import (
    AnnualIndicator,
    Dialogue,
    FeedbackItem,
    Organization,
    Programme,
    Response,
    Survey,
    Task,
    TaskEvidence,
    Unit,
    User,
)
from survey.programmes.evidence import stored
from tests.conftest import empty_tables

SMALL = 600  # responses: enough for the story, quick to seed


def data_digest():
    """SHA-256 over every row of every table, except what is random by design: the users'
    password hashes (salted) and the time their accounts were made."""
    digest = hashlib.sha256()
    for table in _db.metadata.sorted_tables:
        skip = ("password_hash", "created_at") if table.name == "user" else ()
        columns = [c for c in table.columns if c.name not in skip]
        rows = _db.session.execute(sa.select(*columns).order_by(*table.primary_key.columns))
        for row in rows:
            digest.update(json.dumps([str(v) for v in row], ensure_ascii=False).encode())
    return digest.hexdigest()


def seed(runner, *args):
    result = runner.invoke(args=["seed-demo", "--responses", str(SMALL), *args])
    assert result.exit_code == 0, result.output
    return result


def test_same_seed_same_data_other_seed_other_data(app, runner):
    seed(runner, "--seed", "7")
    first = data_digest()
    _db.session.remove()
    empty_tables()

    seed(runner, "--seed", "7")
    assert data_digest() == first
    _db.session.remove()
    empty_tables()

    seed(runner, "--seed", "8")
    assert data_digest() != first


def test_second_run_adds_nothing(app, runner, instance_path):
    first = seed(runner)
    assert "vanphong" in first.output and "admin" in first.output
    counts = {
        m: _db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (Organization, Unit, User, Survey, Response)
    }

    again = seed(runner)
    assert "added nothing" in again.output
    assert counts == {
        m: _db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in counts
    }
    assert (instance_path / "demo-sign-ins.txt").stat().st_mode & 0o777 == 0o600


def test_demo_commune_shape(app, runner):
    seed(runner, "--password", "demo-password-1")
    codes = set(_db.session.scalars(sa.select(Organization.code)))
    assert codes == {"mttq", "nongdan", "phunu", "doanthanhnien", "cuuchienbinh"}
    assert 8 <= _db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) <= 10
    roles = set(_db.session.scalars(sa.select(User.role)))
    assert roles == {"admin", "committee", "inspector", "org_officer", "unit_officer"}
    user = _db.session.scalar(sa.select(User).where(User.username == "vanphong"))
    assert user.check_password("demo-password-1")
    years = set(_db.session.scalars(sa.select(Survey.year)))
    assert years == set(data.YEARS)
    topics = set(_db.session.execute(sa.select(Survey.topic, Survey.audience)).all())
    assert topics == {
        ("satisfaction", "public"),
        ("participation", "member"),
        ("supervision", "public"),
    }
    indicators = _db.session.scalar(sa.select(sa.func.count()).select_from(AnnualIndicator))
    assert indicators == len(codes) * len(data.YEARS)
    channels = set(_db.session.scalars(sa.select(Response.channel).distinct()))
    assert channels == {"web", "paper"}


def top2_share(org, year):
    """Share of 4 and 5 on the likert questions of an organization's satisfaction survey."""
    sql = sa.text(
        "SELECT AVG(CASE WHEN a.number >= 4 THEN 1.0 ELSE 0.0 END) FROM answer a "
        "JOIN response r ON r.id = a.response_id JOIN survey s ON s.id = r.survey_id "
        "WHERE a.kind = 'likert5' AND s.code = :code"
    )
    return _db.session.scalar(sql, {"code": f"hailong-{org}-{year}"})


def test_the_data_tells_the_story(app, runner):
    seed(runner, "--responses", "3000")
    first, last = data.YEARS[0], data.YEARS[-1]
    assert top2_share("phunu", last) - top2_share("phunu", first) > 0.15  # improving
    assert top2_share("nongdan", first) - top2_share("nongdan", last) > 0.1  # slipping
    # The small village never reaches the suppression threshold in any survey.
    per_survey = (
        _db.session.execute(
            sa.select(sa.func.count())
            .select_from(Response)
            .join(Unit)
            .where(Unit.code == data.SMALL_UNIT)
            .group_by(Response.survey_id)
        )
        .scalars()
        .all()
    )
    assert per_survey and max(per_survey) < 5


def test_feedback_items_point_at_their_own_text_answers(app, runner):
    seed(runner)
    rows = _db.session.execute(
        sa.text(
            "SELECT f.text, a.text, a.kind, f.unit_id, r.unit_id, f.survey_id, r.survey_id "
            "FROM feedback_item f JOIN answer a ON a.id = f.answer_id "
            "JOIN response r ON r.id = a.response_id"
        )
    ).all()
    total = _db.session.scalar(sa.text("SELECT COUNT(*) FROM feedback_item"))
    assert total > 0 and len(rows) == total
    for item_text, answer_text, kind, item_unit, unit, item_survey, survey in rows:
        assert (item_text, kind, item_unit, item_survey) == (answer_text, "text", unit, survey)


def test_each_reply_answers_the_feedback_it_is_published_under(app, runner):
    seed(runner)
    rows = _db.session.execute(
        sa.select(FeedbackItem.text, FeedbackItem.public_reply, FeedbackItem.published).where(
            FeedbackItem.public_reply != ""
        )
    ).all()
    assert any(published for _text, _reply, published in rows)
    assert {(text, reply) for text, reply, _published in rows} <= set(data.REPLIES.items())
    # Every comment has a reply of its own: no two comments share one.
    assert len(set(data.REPLIES.values())) == len(data.COMMENTS)


def test_sign_ins_are_shown_again_on_a_later_run(app, runner):
    first = seed(runner, "--password", "demo-password-2")
    assert "demo-password-2" in first.output
    assert "demo-password-2" in seed(runner).output


def test_benchmark_questionnaires_hold_twenty_questions(app):
    from survey.demo.seed import seed_demo
    from survey.models import Answer, Question

    result = seed_demo(responses=300, password="pw-123456789", min_questions=20)
    per_survey = _db.session.execute(
        sa.select(Question.survey_id, sa.func.count()).group_by(Question.survey_id)
    ).all()
    assert per_survey and all(n >= 20 for _s, n in per_survey)
    answers = _db.session.scalar(sa.select(sa.func.count()).select_from(Answer))
    assert answers == result.answers and answers / result.responses > 15


def test_programmes_tasks_and_dialogues_tell_the_story(app, runner):
    """2024 and 2025 programmes with tasks mostly on time, one late and one cancelled, the
    Farmers' Union with overdue tasks in 2025; dialogues with issues made tasks; feedback items
    answered by tasks; and the rating reads the tasks."""
    seed(runner)
    years = set(_db.session.scalars(sa.select(Programme.year)))
    assert years == {2024, 2025}
    tasks = _db.session.scalars(sa.select(Task)).all()
    late = [t for t in tasks if t.status == "done" and t.done_on > t.due_on]
    cancelled = [t for t in tasks if t.status == "cancelled"]
    on_time = [t for t in tasks if t.status == "done" and t.done_on <= t.due_on]
    assert len(on_time) > 3 * (len(late) + len(cancelled)) and late and cancelled
    assert all(t.note for t in cancelled)
    overdue = {t.organization.code for t in tasks if t.status == "in_progress"}
    assert overdue == {"nongdan"}
    assert {t.organization.code for t in late} == {"nongdan"}
    dialogues = _db.session.scalars(sa.select(Dialogue)).all()
    assert any(d.held and d.issues for d in dialogues)
    made = [i for d in dialogues for i in d.issues if i.task_id is not None]
    assert made and all(i.task.organization_id == i.dialogue.organization_id for i in made)
    linked = _db.session.scalars(sa.select(FeedbackItem).where(FeedbackItem.task_id.is_not(None)))
    linked = linked.all()
    assert len(linked) >= 2  # of four in the story: a small demo has fewer comments
    assert all(item.organization_id == item.task.organization_id for item in linked)
    assert {item.task.status for item in linked} >= {"done", "in_progress"}
    for item in linked:  # a reply telling the work done is written once it is done
        if item.task.done_on is not None and item.answered_at is not None:
            assert item.answered_at.astimezone(COMMUNE_TIME).date() >= item.task.done_on
    evidence = _db.session.scalars(sa.select(TaskEvidence)).all()
    assert {e.content_type for e in evidence} == {"image/jpeg", "application/pdf"}
    assert any(e.public and e.task_id in {i.task_id for i in linked} for e in evidence)
    assert all(stored(e) for e in evidence)  # stored as uploads are
    result = runner.invoke(args=["evaluate", "--year", "2025", "--format", "json"])
    rated = {o["org"]: o for o in json.loads(result.output)["organizations"]}
    condition = {c["code"]: c for c in rated["nongdan"]["conditions"]}["tasks_on_time"]
    assert condition["met"] is False and condition["detail"]["late"] == 1
    assert {"due", "on_time", "late", "not_done"} <= set(condition["detail"])
    detail = condition["detail"]
    assert detail["done"] == detail["on_time"] + detail["late"]
    assert detail["late_share"] == round(detail["late"] / detail["due"], 4)
    assert rated["nongdan"]["tier"] != "tot"
    phunu = {c["code"]: c for c in rated["phunu"]["conditions"]}["tasks_on_time"]
    assert phunu["value"] == 1 and phunu["met"] is True


def test_the_farmers_unions_2025_survey_is_read_aloud_in_vietnamese(app, runner):
    """The committed recordings (espeak-ng, survey/demo/make_audio.sh): every question, option
    and face of hailong-nongdan-2025, for the texts as they are, and no other survey's."""
    from survey.demo.spoken import AUDIO_FOLDER, spoken_texts
    from survey.models import SurveyAudio
    from survey.surveys.audio import audio_sheet

    seed(runner)
    clips = _db.session.execute(sa.select(SurveyAudio.survey_id, SurveyAudio.lang)).all()
    survey = _db.session.scalar(sa.select(Survey).where(Survey.code == "hailong-nongdan-2025"))
    files = [name for name, _text in spoken_texts()]
    assert len(files) == 23 and all((AUDIO_FOLDER / name).is_file() for name in files)
    assert clips == [(survey.id, "vi")] * len(files)
    assert sum((AUDIO_FOLDER / name).stat().st_size for name in files) < 450_000
    (vietnamese, _english) = audio_sheet(survey).gaps
    assert (vietnamese.without_audio, vietnamese.stale) == (0, 0)
