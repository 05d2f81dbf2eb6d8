"""The application factory: `flask --app app ...`, `gunicorn 'app:create_app()'`."""

import logging
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from survey import cli
from survey.accounts import sign_ins
from survey.accounts import views as auth
from survey.admin import audit_views as audit
from survey.admin import rules_views as province_rules
from survey.admin import views as admin
from survey.api import views as api
from survey.commune import settings as commune_settings
from survey.commune import tenants
from survey.core import (
    database,
    errors,
    i18n,
    input_guard,
    load_shedding,
    security_headers,
    settings,
    static_versions,
)
from survey.core.app_folders import app_folder
from survey.core.extensions import babel, csrf, db, limiter, login_manager, migrate
from survey.dialogues import views as dialogues
from survey.feedback import inbox_views as inbox
from survey.feedback import replies_views as replies
from survey.indicators import views as indicators
from survey.paper import views as paper
from survey.programmes import evidence_store
from survey.programmes import evidence_views as evidence
from survey.programmes import views as programmes
from survey.province import office_views as province_office
from survey.province import views as province
from survey.ratings import commendation_views as commendations
from survey.ratings import steps_views as steps
from survey.ratings import views as ratings
from survey.reports import download_views as reports
from survey.reports import views as dashboard
from survey.responses import views as take
from survey.site import manage_views as manage
from survey.site import views as public
from survey.surveys import audio_views as audio
from survey.surveys import views as builder
from survey.surveys import xlsform_views as xlsform


def create_app(test_config=None):
    """Build the application: configuration, extensions, blueprints, commands, error pages."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("SURVEY_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=app_folder("templates"),
        static_folder=app_folder("static"),
    )
    settings.load(app, test_config)
    evidence_store.check_settings(app.config)
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_errorhandlers(app)
    return app


def register_extensions(app):
    """Bind the unbound extensions of survey.extensions to this app."""
    database.configure_engine_options(app)
    db.init_app(app)
    database.attach_sqlite_pragmas(app)
    migrate.init_app(app, db, directory=app_folder("migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    sign_ins.init_app(app)
    tenants.init_app(app)
    limiter.init_app(app)
    # Flask-Limiter names the client address when a limit is hit, at info level: an address
    # must not reach the logs.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)
    i18n.init_app(app, babel)
    commune_settings.init_app(app)
    security_headers.init_app(app)
    static_versions.init_app(app)
    input_guard.init_app(app)
    load_shedding.init_app(app)


def register_blueprints(app):
    """Attach one blueprint per view module."""
    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(take.bp)
    app.register_blueprint(paper.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(replies.bp)
    app.register_blueprint(indicators.bp)
    app.register_blueprint(programmes.bp)
    app.register_blueprint(dialogues.bp)
    app.register_blueprint(builder.bp)
    app.register_blueprint(xlsform.bp)
    app.register_blueprint(audio.bp)
    app.register_blueprint(province.bp)
    app.register_blueprint(province_office.bp)
    app.register_blueprint(province_rules.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(ratings.bp)
    app.register_blueprint(steps.bp)
    app.register_blueprint(commendations.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(evidence.bp)


def register_commands(app):
    """Add the project's `flask` commands."""
    cli.register(app)


def register_errorhandlers(app):
    """Serve the 403/404/500 pages; roll back the session on 500."""
    errors.register(app)
