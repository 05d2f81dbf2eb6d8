"""The systemd units and the environment file: they parse, the app waits for the database
upgrade, and the environment names every setting production needs, as the app reads it."""

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask

from survey.core.settings import DEFAULTS
from tests.deploy.test_gunicorn_config import resolved

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
APP_UNIT = "commune-survey.service"
UPGRADE_UNIT = "commune-survey-upgrade.service"
DIGEST_UNIT = "commune-survey-digest.service"
DIGEST_TIMER = "commune-survey-digest.timer"
FIGURES_UNIT = "commune-survey-figures.service"
INSTALLED_AT = "/opt/commune-survey"
NEEDED = {
    "FLASK_SQLALCHEMY_DATABASE_URI",
    "FLASK_SECRET_KEY",
    "FLASK_RATELIMIT_STORAGE_URI",
    "FLASK_TRUSTED_PROXIES",
    "FLASK_PUBLIC_BASE_URL",
    "FLASK_REDIS_URL",
    "SURVEY_INSTANCE_PATH",
    "WEB_CONCURRENCY",
}


def unit(name):
    """A unit file as configparser reads it (keys keep their case, no % interpolation)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read_string((DEPLOY / name).read_text())
    return parser


def environment_example(with_commented=False):
    """{name: value} of deploy/commune-survey.env.example (also the commented-out ones)."""
    prefix = r"#\s*" if with_commented else ""
    text = (DEPLOY / "commune-survey.env.example").read_text()
    return dict(re.findall(rf"(?m)^{prefix}([A-Z][A-Z0-9_]*)=(.*)$", text))


def test_the_app_requires_the_upgrade_and_starts_after_it():
    app, upgrade = unit(APP_UNIT), unit(UPGRADE_UNIT)
    assert UPGRADE_UNIT in app["Unit"]["Requires"].split()
    assert UPGRADE_UNIT in app["Unit"]["After"].split()
    # Run to its end at each start of the app: not kept "active" after it exited.
    assert upgrade["Service"]["Type"] == "oneshot"
    assert upgrade["Service"].get("RemainAfterExit", "no") == "no"
    assert upgrade["Service"]["ExecStart"] == f"{INSTALLED_AT}/.venv/bin/flask --app app db upgrade"
    assert app["Service"]["ExecStart"] == (
        f"{INSTALLED_AT}/.venv/bin/gunicorn -c deploy/gunicorn.conf.py app:create_app()"
    )
    assert app["Service"]["Type"] == "notify"
    assert app["Install"]["WantedBy"] == "multi-user.target"


def test_every_unit_runs_the_same_app_as_the_same_user():
    app = unit(APP_UNIT)["Service"]
    for other in (UPGRADE_UNIT, DIGEST_UNIT, FIGURES_UNIT):
        service = unit(other)["Service"]
        for key in ("User", "Group", "WorkingDirectory", "EnvironmentFile", "StateDirectory"):
            assert app[key] == service[key], (other, key)
    assert app["WorkingDirectory"] == INSTALLED_AT
    assert app["User"] != "root"


def test_the_instance_folder_is_the_units_state_directory():
    state = unit(APP_UNIT)["Service"]["StateDirectory"]
    assert environment_example()["SURVEY_INSTANCE_PATH"] == f"/var/lib/{state}"
    assert unit(APP_UNIT)["Service"]["StateDirectoryMode"] == "0700"


def test_systemd_waits_for_gunicorns_graceful_stop():
    stop = int(unit(APP_UNIT)["Service"]["TimeoutStopSec"])
    assert stop > int(resolved("3")["graceful_timeout"])
    assert unit(APP_UNIT)["Service"]["KillMode"] == "mixed"


def test_the_figures_workers_start_with_the_app_and_finish_their_figure_on_stop():
    """After the upgrade (they read the same schema), with Redis; restarted if they fail."""
    figures = unit(FIGURES_UNIT)
    assert figures["Service"]["ExecStart"] == (
        f"{INSTALLED_AT}/.venv/bin/flask --app app figures worker"
    )
    assert "--burst" not in figures["Service"]["ExecStart"]
    assert UPGRADE_UNIT in figures["Unit"]["Requires"].split()
    assert {UPGRADE_UNIT, "redis-server.service"} <= set(figures["Unit"]["After"].split())
    assert figures["Service"]["Restart"] == "on-failure"
    # SIGTERM is RQ's warm shutdown: the job under way ends before the worker does.
    assert figures["Service"]["KillSignal"] == "SIGTERM"
    assert int(figures["Service"]["TimeoutStopSec"]) >= 120
    assert figures["Install"]["WantedBy"] == "multi-user.target"


def test_the_timer_sends_the_days_e_mail_at_seven_in_the_commune():
    """07:00 in Vietnam whatever the server's zone, and a morning missed (the server off) is
    made up at the next start."""
    service, timer = unit(DIGEST_UNIT), unit(DIGEST_TIMER)
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"] == (
        f"{INSTALLED_AT}/.venv/bin/flask --app app tasks digest"
    )
    assert timer["Timer"]["OnCalendar"] == "*-*-* 07:00:00 Asia/Ho_Chi_Minh"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert "Install" not in service  # started by its timer, never at boot


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)
def test_systemd_analyze_verifies_the_units(tmp_path):
    """Installed from this checkout: systemd checks that the programs are there too."""
    names = (APP_UNIT, UPGRADE_UNIT, DIGEST_UNIT, DIGEST_TIMER, FIGURES_UNIT)
    for name in names:
        text = (DEPLOY / name).read_text().replace(INSTALLED_AT, str(ROOT))
        (tmp_path / name).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", *(tmp_path / name for name in names)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    # Unknown keys and bad values are only warnings: none is allowed either.
    assert done.stderr == ""


def test_the_environment_names_every_setting_production_needs():
    example = environment_example()
    assert set(example) >= NEEDED
    assert example["FLASK_TRUSTED_PROXIES"] == "1"
    assert example["FLASK_PUBLIC_BASE_URL"].startswith("https://")
    assert example["FLASK_RATELIMIT_STORAGE_URI"].startswith("redis://")
    # The figures in a database of their own: never mixed with the rate limits' counters.
    assert example["FLASK_REDIS_URL"].startswith("redis://")
    assert example["FLASK_REDIS_URL"] != example["FLASK_RATELIMIT_STORAGE_URI"]
    assert example["FLASK_SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert int(example["WEB_CONCURRENCY"]) >= 1


def test_every_flask_setting_it_names_is_one_the_app_knows():
    """A misspelt name would be read as a new setting and change nothing."""
    known = set(DEFAULTS) | set(Flask.default_config) | {"SQLALCHEMY_DATABASE_URI"}
    named = set(environment_example()) | set(environment_example(with_commented=True))
    flask_settings = {name.removeprefix("FLASK_") for name in named if name.startswith("FLASK_")}
    assert flask_settings and flask_settings <= known


def test_the_app_reads_the_environment_as_production_means_it(monkeypatch, tmp_path):
    from app import create_app

    for name, value in environment_example().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path))
    config = create_app().config
    assert config["TRUSTED_PROXIES"] == 1
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert config["REDIS_URL"] == "redis://127.0.0.1:6379/1"
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 5
