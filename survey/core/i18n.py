"""Interface language: Vietnamese by default, English complete, chosen by the person."""

from importlib import resources

from flask import current_app, has_request_context, request

LANG_COOKIE = "lang"
LANG_COOKIE_AGE = 365 * 24 * 3600


def init_app(app, babel):
    """Bind Flask-Babel with this app's catalogs and locale choice."""
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(resources.files("survey").joinpath("translations"))
    )
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _languages():
        return {"interface_languages": app.config["LANGUAGES"], "current_lang": select_locale()}


def select_locale():
    """?lang= on this request, else the language cookie, else the commune default (vi)."""
    if not has_request_context():  # commands: printed slips, reports
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    for candidate in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in languages:
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]
