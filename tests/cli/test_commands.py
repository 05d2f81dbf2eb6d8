"""`flask user create|deactivate|password` and `flask survey ...`."""

import json

import sqlalchemy as sa

from survey.audit.trail import COMMAND_LINE
from survey.models import AuditLog, Response, Survey, User
from tests.factories import EVERY_KIND, make_organization, make_unit, make_user


def test_user_create_reads_the_password_from_stdin(app, db, runner):
    make_organization(db, code="nongdan")
    db.session.commit()
    result = runner.invoke(
        args=["user", "create", "canbo", "--role", "org_officer", "--org", "nongdan"],
        input="a-strong-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "canbo"))
    assert user.role == "org_officer" and user.organization.code == "nongdan"
    assert user.check_password("a-strong-password")
    assert "a-strong-password" not in user.password_hash


def test_user_create_names_what_is_wrong(app, db, runner):
    missing_org = runner.invoke(
        args=["user", "create", "x", "--role", "org_officer"], input="p" * 12
    )
    assert missing_org.exit_code != 0 and "--org is required" in missing_org.output

    unknown = runner.invoke(
        args=["user", "create", "x", "--role", "unit_officer", "--unit", "nowhere"], input="p" * 12
    )
    assert unknown.exit_code != 0 and "no unit with code 'nowhere'" in unknown.output

    short = runner.invoke(args=["user", "create", "x", "--role", "admin"], input="short\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_user_create_is_audited_as_the_command_line_without_the_password(app, db, runner):
    result = runner.invoke(
        args=["user", "create", "ubkt", "--role", "inspector", "--full-name", "Phạm Kiểm"],
        input="a-strong-password\n",
    )
    assert result.exit_code == 0, result.output
    entry = db.session.scalar(sa.select(AuditLog))
    assert (entry.action, entry.target, entry.username, entry.user_id) == (
        "user.create",
        "user:ubkt",
        COMMAND_LINE,
        None,
    )
    assert entry.details["after"]["role"] == "inspector"
    assert entry.details["after"]["full_name"] == "Phạm Kiểm"
    user = db.session.scalar(sa.select(User).where(User.username == "ubkt"))
    logged = json.dumps(entry.details)
    assert "a-strong-password" not in logged and user.password_hash not in logged


def test_user_create_refuses_a_taken_name_and_a_binding_the_role_has_not(app, db, runner):
    make_unit(db, code="thon1")
    make_user(db, username="canbo")
    db.session.commit()
    taken = runner.invoke(args=["user", "create", "CanBo", "--role", "admin"], input="p" * 12)
    assert taken.exit_code != 0 and "username 'CanBo' is taken" in taken.output
    bound = runner.invoke(
        args=["user", "create", "x", "--role", "committee", "--unit", "thon1"], input="p" * 12
    )
    assert bound.exit_code != 0 and "--unit is only for role unit_officer" in bound.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 0


def test_user_deactivate_ends_sessions_and_is_audited(app, db, runner):
    user = make_user(db, username="canbo")
    db.session.commit()
    version = user.session_version
    result = runner.invoke(args=["user", "deactivate", "CANBO"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert not user.active and user.session_version == version + 1
    entry = db.session.scalar(sa.select(AuditLog))
    assert (entry.action, entry.username) == ("user.deactivate", COMMAND_LINE)
    missing = runner.invoke(args=["user", "deactivate", "nobody"])
    assert missing.exit_code != 0 and "no user 'nobody'" in missing.output


def test_user_password_sets_it_ends_sessions_and_logs_no_secret(app, db, runner):
    user = make_user(db, username="canbo")
    db.session.commit()
    version = user.session_version
    result = runner.invoke(args=["user", "password", "canbo"], input="another-password\n")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert user.check_password("another-password") and user.session_version == version + 1
    entry = db.session.scalar(sa.select(AuditLog))
    assert entry.action == "user.password_reset" and entry.details == {}
    short = runner.invoke(args=["user", "password", "canbo"], input="short\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output


def definition_file_body(code, status="draft"):
    """A definition with every question kind, about the Women's Union."""
    return {
        "code": code,
        "audience": "public",
        "topic": "satisfaction",
        "year": 2027,
        "status": status,
        "title": {"vi": "Khảo sát", "en": "Survey"},
        "languages": ["vi", "en"],
        "organizations": ["phunu"],
        "questions": [
            q | {"organization": "phunu"} if q.get("feedback") else q for q in EVERY_KIND
        ],
    }


def test_survey_load_open_close(app, db, runner, tmp_path):
    make_organization(db, code="phunu")
    db.session.commit()
    definition = definition_file_body("hl-2026", status="open")
    path = tmp_path / "survey.json"
    path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    loaded = runner.invoke(args=["survey", "load", str(path)])
    assert loaded.exit_code == 0, loaded.output
    assert "8 questions" in loaded.output and "draft" in loaded.output

    def status():
        db.session.expire_all()
        return db.session.scalar(sa.select(Survey.status).where(Survey.code == "hl-2026"))

    assert status() == "draft"  # a loaded survey waits to be opened
    assert runner.invoke(args=["survey", "open", "hl-2026"]).exit_code == 0
    assert status() == "open"
    assert runner.invoke(args=["survey", "close", "hl-2026"]).exit_code == 0
    assert status() == "closed"
    again = runner.invoke(args=["survey", "load", str(path)])
    assert again.exit_code != 0 and "already exists" in again.output
    missing = runner.invoke(args=["survey", "open", "nope"])
    assert missing.exit_code != 0 and "no survey with code 'nope'" in missing.output


def test_survey_load_names_the_wrong_field(app, runner, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        '{"code": "x", "audience": "everyone", "topic": "other", "year": 2025, '
        '"title": {"vi": "T"}, "questions": []}',
        encoding="utf-8",
    )
    result = runner.invoke(args=["survey", "load", str(path)])
    assert result.exit_code != 0 and "audience: 'everyone' is not one of" in result.output
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(args=["survey", "load", str(path)])
    assert result.exit_code != 0 and "not valid JSON (line 1" in result.output


def test_survey_dump_loads_back_unchanged(app, db, runner, tmp_path):
    make_organization(db, code="phunu")
    db.session.commit()
    definition = definition_file_body("hl-2027")
    path = tmp_path / "in.json"
    path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(args=["survey", "load", str(path)]).exit_code == 0
    dumped = json.loads(runner.invoke(args=["survey", "dump", "hl-2027"]).output)
    assert dumped == definition

    # Loaded again under another code, it dumps to the same definition.
    dumped["code"] = "hl-2027-copy"
    path.write_text(json.dumps(dumped, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(args=["survey", "load", str(path)]).exit_code == 0
    again = json.loads(runner.invoke(args=["survey", "dump", "hl-2027-copy"]).output)
    assert again == dumped


def test_survey_list_counts_responses(app, db, runner):
    runner.invoke(args=["seed-demo", "--responses", "300"])
    listing = json.loads(runner.invoke(args=["survey", "list", "--json"]).output)
    assert len(listing) == 33
    by_code = {row["code"]: row for row in listing}
    row = by_code["hailong-nongdan-2025"]
    assert row["organizations"] == ["nongdan"] and row["status"] == "open"
    stored = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Response)
        .join(Survey)
        .where(Survey.code == "hailong-nongdan-2025")
    )
    assert row["responses"] == stored > 0
    table = runner.invoke(args=["survey", "list"]).output
    assert "hailong-nongdan-2025" in table and "Hội Nông dân" in table


def test_user_create_takes_an_email_address_and_refuses_what_is_not_one(app, db, runner):
    make_organization(db, code="nongdan")
    db.session.commit()
    command = ["user", "create", "canbo", "--role", "org_officer", "--org", "nongdan"]
    wrong = runner.invoke(args=[*command, "--email", "canbo@"], input="a-strong-password\n")
    assert wrong.exit_code != 0 and "--email 'canbo@': not an e-mail address" in wrong.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    args = [*command, "--email", "canbo@hoinongdan.vn"]
    result = runner.invoke(args=args, input="a-strong-password\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User.email)) == "canbo@hoinongdan.vn"
    entry = db.session.scalar(sa.select(AuditLog))
    assert entry.details["after"]["email"] == "canbo@hoinongdan.vn"
