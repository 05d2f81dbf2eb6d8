"""`flask commune create|list`, and `--commune` on every command of a commune's data."""

import click
import pytest
import sqlalchemy as sa

from survey.core.tenancy import across_communes, commune_scope
from survey.models import Commune, Survey, User
from tests.factories import make_survey

# Commands that are the deployment's, not a commune's (or Flask's own).
DEPLOYMENT_COMMANDS = {"commune", "backup", "restore", "figures", "db", "run", "shell", "routes"}


def commands(app):
    """Every command of a commune's data: (path, command)."""

    def walk(command, path):
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk(sub, [*path, name])
        else:
            yield " ".join(path), command

    for name, command in app.cli.commands.items():
        if name not in DEPLOYMENT_COMMANDS:
            yield from walk(command, [name])


# Daily commands that, without --commune, run once for every commune in turn.
EACH_COMMUNE = {"tasks digest"}
# Arguments that pass each command's own checks, so that only the commune is missing.
ARGUMENTS = {
    "seed-demo": [],
    "user create": ["someone", "--role", "admin"],
    "user deactivate": ["someone"],
    "user password": ["someone"],
    "survey list": [],
    "survey dump": ["hl-2025"],
    "survey load": ["{file}"],
    "survey open": ["hl-2025"],
    "survey close": ["hl-2025"],
    "survey invite": ["hl-2025", "--unit", "thon1", "--count", "1", "-o", "{out}"],
    "survey export": ["hl-2025", "--format", "csv", "-o", "{out}"],
    "survey import-xlsform": ["{file}"],
    "survey export-xlsform": ["hl-2025", "-o", "{out}"],
    "responses import": ["hl-2025", "{file}"],
    "evaluate": ["--year", "2025"],
    "indicators import": ["{file}"],
    "tasks import": ["{file}"],
    "tasks digest": [],
    "report": ["--year", "2025", "--format", "docx", "-o", "{out}"],
}


@pytest.fixture
def two_communes(runner, db):
    for code, name in (("alpha", "xã Alpha"), ("beta", "xã Beta")):
        result = runner.invoke(
            args=["commune", "create", code, "--name", name, "--province", "Gia Lai"]
        )
        assert result.exit_code == 0, result.output
    with across_communes():
        return {c.code: c.id for c in db.session.scalars(sa.select(Commune))}


def test_communes_are_made_and_listed(runner, two_communes):
    listed = runner.invoke(args=["commune", "list"]).output.splitlines()
    assert listed == ["alpha\txã Alpha\tGia Lai\t\t", "beta\txã Beta\tGia Lai\t\t"]
    taken = runner.invoke(args=["commune", "create", "alpha", "--name", "xã Khác"])
    assert taken.exit_code == 1 and "commune code 'alpha' is taken" in taken.output
    bad = runner.invoke(args=["commune", "create", "Xã A", "--name", "xã A"])
    assert bad.exit_code == 1 and "lowercase letters" in bad.output


def test_every_command_of_a_commune_takes_commune_and_asks_for_it(app, runner, tmp_path):
    """With two communes, a command without --commune stops before doing anything and names
    the choices."""
    runner.invoke(args=["commune", "create", "alpha", "--name", "xã Alpha"])
    runner.invoke(args=["commune", "create", "beta", "--name", "xã Beta"])
    given = tmp_path / "given.csv"
    given.write_text("x\n", encoding="utf-8")
    found = dict(commands(app))
    assert set(found) == set(ARGUMENTS), "a new command needs a row in ARGUMENTS"
    for path, command in found.items():
        assert any(p.name == "commune_code" for p in command.params), path
        args = [a.format(file=given, out=tmp_path / "out.bin") for a in ARGUMENTS[path]]
        if path in EACH_COMMUNE:
            continue
        result = runner.invoke(args=[*path.split(), *args], input="a-long-password\n" * 2)
        assert result.exit_code == 2, (path, result.output)
        assert "several communes: choose one with --commune (alpha, beta)" in result.output, path
    unknown = runner.invoke(args=["survey", "list", "--commune", "gamma"])
    assert unknown.exit_code == 2
    assert "no commune 'gamma'; the communes are: alpha, beta" in unknown.output


def test_a_command_works_for_the_commune_it_names(runner, db, two_communes):
    for code in ("alpha", "beta"):
        with commune_scope(two_communes[code]):
            make_survey(db, code=f"{code}-2025", title={"vi": f"Khảo sát {code}"})
            db.session.commit()
    listed = runner.invoke(args=["survey", "list", "--commune", "beta"])
    assert listed.exit_code == 0, listed.output
    assert "beta-2025" in listed.output and "alpha-2025" not in listed.output
    made = runner.invoke(
        args=["user", "create", "vanphong_b", "--role", "admin", "--commune", "beta"],
        input="a-long-password\na-long-password\n",
    )
    assert made.exit_code == 0, made.output
    with across_communes():
        user = db.session.scalar(sa.select(User).where(User.username == "vanphong_b"))
        assert user.commune_id == two_communes["beta"]
        assert db.session.scalar(sa.select(Survey.commune_id).where(Survey.code == "beta-2025"))


def test_the_province_accounts_belong_to_no_commune(runner, db, two_communes):
    made = runner.invoke(
        args=["user", "create", "tinh", "--role", "province_viewer"],
        input="a-long-password\na-long-password\n",
    )
    assert made.exit_code == 0, made.output
    with across_communes():
        user = db.session.scalar(sa.select(User).where(User.username == "tinh"))
    assert user.commune_id is None
    # Working for a commune, nobody makes the province's accounts.
    refused = runner.invoke(
        args=["user", "create", "tinh2", "--role", "province_admin", "--commune", "alpha"],
        input="a-long-password\na-long-password\n",
    )
    assert refused.exit_code == 1


def test_usernames_are_unique_across_communes(runner, two_communes):
    for commune in ("alpha", "beta"):
        result = runner.invoke(
            args=["user", "create", "chung", "--role", "admin", "--commune", commune],
            input="a-long-password\na-long-password\n",
        )
    assert result.exit_code == 1 and "username 'chung' is taken" in result.output


def test_seed_demo_fills_the_commune_it_names_with_prefixed_codes(runner, db, two_communes):
    result = runner.invoke(
        args=["seed-demo", "--commune", "beta", "--responses", "60", "--password", "pw-12345678"]
    )
    assert result.exit_code == 0, result.output
    with across_communes():
        codes = db.session.scalars(sa.select(Survey.code)).all()
        owners = set(db.session.scalars(sa.select(Survey.commune_id)))
        names = db.session.scalars(sa.select(User.username)).all()
    assert codes and all(code.startswith("beta-") for code in codes)
    assert owners == {two_communes["beta"]}
    assert "beta-vanphong" in names


def test_the_daily_digest_runs_for_every_commune_in_turn(runner, two_communes):
    result = runner.invoke(args=["tasks", "digest", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "== xã Alpha (alpha)" in result.output and "== xã Beta (beta)" in result.output
    assert result.output.count("Dry run: 0 e-mails would be sent") == 2
    alone = runner.invoke(args=["tasks", "digest", "--dry-run", "--commune", "beta"])
    assert "==" not in alone.output and alone.output.count("Dry run") == 1
