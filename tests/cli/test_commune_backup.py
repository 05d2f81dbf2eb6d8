"""`flask backup --commune CODE`: one commune's data as a SQLite file of this app, which an
embedded install restores and serves alone, with the same evaluation as in the deployment."""

import json
import sqlite3

import pytest
import sqlalchemy as sa

from app import create_app
from survey.core.extensions import db as _db
from survey.core.tenancy import across_communes, commune_scope
from survey.models import Answer, Commune, Response, Survey
from tests.conftest import base_config

PASSWORD = "pw-12345678"


@pytest.fixture
def province(runner, db):
    """Two seeded communes and a province account; {code: id}."""
    for code in ("alpha", "beta"):
        made = runner.invoke(args=["commune", "create", code, "--name", f"xã {code.title()}"])
        assert made.exit_code == 0, made.output
        seeded = runner.invoke(
            args=["seed-demo", "--commune", code, "--responses", "40", "--password", PASSWORD]
        )
        assert seeded.exit_code == 0, seeded.output
    viewer = runner.invoke(
        args=["user", "create", "tinh", "--role", "province_viewer"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert viewer.exit_code == 0, viewer.output
    with across_communes():
        return {c.code: c.id for c in db.session.scalars(sa.select(Commune))}


def evaluation(runner, year, *commune):
    result = runner.invoke(args=["evaluate", "--year", str(year), "--format", "json", *commune])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def rows(path, sql):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_communes_backup_holds_that_commune_alone(runner, db, province, tmp_path):
    path = tmp_path / "beta.sqlite"
    result = runner.invoke(args=["backup", "-o", str(path), "--commune", "beta"])
    assert result.exit_code == 0, result.output
    assert path.stat().st_mode & 0o777 == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers
    with commune_scope(province["beta"]):
        answers = db.session.scalar(sa.select(sa.func.count()).select_from(Answer).join(Response))
        responses = db.session.scalar(sa.select(sa.func.count()).select_from(Response))
    assert f"{responses:,} responses, {answers:,} answers" in result.output
    assert rows(path, "SELECT code FROM commune") == [("beta",)]
    codes = [code for (code,) in rows(path, "SELECT code FROM survey")]
    assert codes and all(code.startswith("beta-") for code in codes)
    names = [name for (name,) in rows(path, "SELECT username FROM user")]
    assert names and all(name.startswith("beta-") for name in names)  # no alpha, no province
    assert rows(path, "SELECT count(*) FROM answer") == [(answers,)]
    owners = {
        row
        for table in ("response", "organization", "unit", "setting", "audit_log")
        for row in rows(path, f"SELECT DISTINCT commune_id FROM {table}")
    }
    assert owners == {(province["beta"],)}
    # Every question, option and answer hangs from a survey or response of the file.
    assert rows(
        path, "SELECT count(*) FROM question WHERE survey_id NOT IN (SELECT id FROM survey)"
    ) == [(0,)]
    assert rows(path, "PRAGMA foreign_key_check") == []
    # The demo survey's recordings, sound and all, of the commune alone.
    clips = rows(path, "SELECT commune_id, survey_id, length(data), size FROM survey_audio")
    assert len(clips) == 23 and {c[0] for c in clips} == {province["beta"]}
    assert all(length == size > 0 for _c, _s, length, size in clips)
    (spoken,) = rows(path, "SELECT DISTINCT survey_id FROM survey_audio")
    assert rows(path, f"SELECT code FROM survey WHERE id = {spoken[0]}") == [
        ("beta-hailong-nongdan-2025",)
    ]


def test_an_embedded_install_restores_it_with_the_same_evaluation(runner, db, province, tmp_path):
    """The same evaluation, under the same rules: the province's default rule set goes with
    the commune."""
    from survey.models import ProvinceSetting
    from survey.ratings.rulesets import RULES_SETTING, commune_rules

    with across_communes():
        db.session.add(ProvinceSetting(key=RULES_SETTING, value="[tiers]\ntot = 75\n"))
        db.session.commit()
    path = tmp_path / "alpha.sqlite"
    assert runner.invoke(args=["backup", "-o", str(path), "--commune", "alpha"]).exit_code == 0
    with across_communes():
        year = db.session.scalar(sa.select(sa.func.max(Survey.year)))
    there = evaluation(runner, year, "--commune", "alpha")

    alone = create_app(base_config(f"sqlite:///{tmp_path / 'alone.sqlite'}"))
    with alone.app_context():
        restored = alone.test_cli_runner().invoke(args=["restore", str(path), "--yes"])
        assert restored.exit_code == 0, restored.output
        assert evaluation(alone.test_cli_runner(), year) == there
        assert commune_rules(year).tot == 75
        with across_communes():
            assert _db.session.scalars(sa.select(Commune.code)).all() == ["alpha"]
        _db.session.remove()
        _db.engine.dispose()


def test_an_unknown_commune_is_refused_naming_the_choices(runner, province, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(args=["backup", "-o", str(out / "x.sqlite"), "--commune", "gamma"])
    assert result.exit_code == 2
    assert "no commune 'gamma'; the communes are: alpha, beta" in result.output
    assert list(out.iterdir()) == []


def test_a_backup_into_a_missing_folder_is_refused(runner, province, tmp_path):
    result = runner.invoke(
        args=["backup", "-o", str(tmp_path / "nowhere" / "b.sqlite"), "--commune", "beta"]
    )
    assert result.exit_code == 1 and "does not exist" in result.output
