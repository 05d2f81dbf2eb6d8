"""Interface language: Vietnamese by default, English complete, chosen by the person."""

from functools import lru_cache
from importlib import resources

from babel import numbers
from flask import current_app, has_request_context, request
from flask_babel import get_locale

from survey.core import languages

LANG_COOKIE = "lang"
LANG_COOKIE_AGE = 365 * 24 * 3600


def init_app(app, babel):
    """Bind Flask-Babel with this app's catalogs and locale choice."""
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(resources.files("survey").joinpath("translations"))
    )
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["decimalformat"] = decimalformat
    app.jinja_env.globals["pct"] = pct
    app.jinja_env.globals["size_in_words"] = size_in_words
    app.jinja_env.globals["language_own_name"] = languages.own_name
    app.jinja_env.globals["language_name"] = languages.language_name

    @app.context_processor
    def _languages():
        return {"interface_languages": app.config["LANGUAGES"], "current_lang": select_locale()}


def select_locale():
    """?lang= on this request, else the language cookie, else the commune default (vi).

    A ?lang= naming a language a survey may be written in but the interface does not speak
    (Bahnar, Jrai, ...) shows the survey's questions in it and the page's own words in the
    commune's default language, whatever the cookie says: a person who chose Bahnar reads
    Vietnamese better than English."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # commands: printed slips, reports
        return default
    interface = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in interface:
        return asked
    if asked in languages.LANGUAGES:
        return default
    cookie = request.cookies.get(LANG_COOKIE)
    return cookie if cookie in interface else default


def pct(value, digits="0.#") -> str:
    """A share (0.875) as a percentage in the request's locale ("87,5%"), "–" for none: the
    dashboards' tables show hundreds of them, so a function, not a template macro."""
    return "–" if value is None else decimalformat(value * 100, digits) + "%"


def decimalformat(number, format=None) -> str:
    """Flask-Babel's `decimalformat` filter (`number` in the request's locale, as `format`
    says), each number formatted once per process: a dashboard shows the same kept figures
    request after request, hundreds of them on the province's page, and Babel takes tens of
    microseconds for each."""
    return _formatted(number, format, get_locale())


@lru_cache(maxsize=8192, typed=True)
def _formatted(number, format, locale) -> str:
    return numbers.format_decimal(number, format=format, locale=locale)


def size_in_words(size) -> str:
    """A file size as people say it: "48 KB", "2,4 MB" (in the reader's language)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{decimalformat(round(size / (1024 * 1024), 1))} MB"
