"""The configuration chain and the generated secret key."""

import os
import stat

from app import create_app


def test_defaults_apply_without_any_configuration(instance_path, monkeypatch):
    monkeypatch.delenv("FLASK_SUPPRESSION_K", raising=False)
    app = create_app()
    assert app.config["SUPPRESSION_K"] == 5
    assert app.config["BABEL_DEFAULT_LOCALE"] == "vi"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "sqlite:///" + os.path.join(str(instance_path), "survey.sqlite")
    )


def test_each_source_overrides_the_one_before(instance_path, monkeypatch):
    (instance_path / "config.py").write_text(
        "SUPPRESSION_K = 7\nPUBLIC_BASE_URL = 'https://from-file.example'\nCOMMUNE_NAME = 'file'\n"
    )
    monkeypatch.setenv("FLASK_SUPPRESSION_K", "8")
    monkeypatch.setenv("FLASK_COMMUNE_NAME", "env")

    app = create_app({"SUPPRESSION_K": 9})

    assert app.config["PUBLIC_BASE_URL"] == "https://from-file.example"  # file over default
    assert app.config["COMMUNE_NAME"] == "env"  # environment over file
    assert app.config["SUPPRESSION_K"] == 9  # test_config over environment


def test_environment_values_are_parsed_as_json(instance_path, monkeypatch):
    monkeypatch.setenv("FLASK_SUPPRESSION_K", "11")
    monkeypatch.setenv("FLASK_RATELIMIT_ENABLED", "false")
    app = create_app()
    assert app.config["SUPPRESSION_K"] == 11
    assert app.config["RATELIMIT_ENABLED"] is False


def test_secret_key_is_generated_once_into_instance_with_mode_600(instance_path):
    first = create_app()
    key_file = instance_path / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 64

    second = create_app()
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_configured_secret_key_is_used_and_no_file_written(instance_path, monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (instance_path / "secret_key").exists()


def test_postgresql_gets_pool_pre_ping_and_sqlite_does_not(instance_path):
    pg = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@127.0.0.1:1/none"})
    assert pg.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    lite = create_app()
    assert "pool_pre_ping" not in lite.config["SQLALCHEMY_ENGINE_OPTIONS"]


def test_sqlite_connections_have_foreign_keys_and_wal(app, db):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_worker_count_that_is_not_a_whole_number_stops_the_start(instance_path, monkeypatch):
    """The rate limits are divided by it: a bad one is refused at once, by name."""
    import pytest

    for bad in (0, "two", 1.5):
        with pytest.raises(ValueError, match="WORKERS must be a whole number from 1"):
            create_app({"WORKERS": bad})
    monkeypatch.setenv("WEB_CONCURRENCY", "four")
    with pytest.raises(ValueError, match="WEB_CONCURRENCY must be a whole number from 1"):
        create_app()
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    assert create_app().config["WORKERS"] is None  # read where the limits are counted
