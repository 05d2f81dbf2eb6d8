"""`flask user create`."""

import sqlalchemy as sa

from survey.models import User
from tests.factories import make_organization


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
