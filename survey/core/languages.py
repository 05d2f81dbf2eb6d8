"""The languages a survey's questions may be written in, and which of them the interface speaks.

Two lists, kept apart on purpose:

- the interface languages (the LANGUAGES setting: Vietnamese and English), in which every
  button, heading and message of the site exists (survey/translations/);
- the content languages (the SURVEY_LANGUAGES setting, a subset of
  LANGUAGES below, by default all of them), in which an officer may write a
  survey's title, questions and options and attach their audio.

A form shown in a content language the interface does not speak (Bahnar, Jrai, ...) shows its
questions in that language and its chrome in Vietnamese (survey.core.i18n.select_locale).
"""

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

# The languages a survey may be written in (its texts are JSON objects keyed by these codes):
# Vietnamese and English, which the interface speaks too, and the languages of the villages of
# the Central Highlands and the Mekong delta, which it does not (a form in one of them shows its
# questions in it and its buttons in Vietnamese). Codes are ISO 639 (639-3 where 639-1 has none);
# each has its name in the reader's language and its own name, as its speakers write it. A
# deployment offers a subset (the SURVEY_LANGUAGES setting: content_languages below).
LANGUAGES = ("vi", "en", "bdq", "jra", "rad", "sed", "cmo", "km", "hmn", "cjm")
NAMES = {
    "vi": _l("Vietnamese"),
    "en": _l("English"),
    "bdq": _l("Bahnar"),
    "jra": _l("Jrai"),
    "rad": _l("Ede"),
    "sed": _l("Sedang"),
    "cmo": _l("Mnong"),
    "km": _l("Khmer"),
    "hmn": _l("Hmong"),
    "cjm": _l("Cham"),
}
OWN_NAMES = {
    "vi": "Tiếng Việt",
    "en": "English",
    "bdq": "Bahnar",
    "jra": "Jrai",
    "rad": "Êđê",
    "sed": "Xơ Đăng",
    "cmo": "Mnông",
    "km": "ភាសាខ្មែរ",
    "hmn": "Hmoob",
    "cjm": "Cam",
}


def content_languages() -> tuple[str, ...]:
    """The codes a survey may be written in here, in the vocabulary's order, Vietnamese first.

    The SURVEY_LANGUAGES setting names a subset (a list of codes; unknown codes are refused
    when the app starts: check_setting)."""
    if not has_app_context():
        return LANGUAGES
    chosen = current_app.config.get("SURVEY_LANGUAGES") or LANGUAGES
    return tuple(code for code in LANGUAGES if code in chosen or code == "vi")


def check_setting(value) -> None:
    """Refuse at start a SURVEY_LANGUAGES setting that names an unknown language."""
    if value is None:
        return
    if isinstance(value, str) or not all(isinstance(code, str) for code in value):
        raise ValueError(f"SURVEY_LANGUAGES: expected a list of language codes, got {value!r}")
    unknown = [code for code in value if code not in LANGUAGES]
    if unknown:
        raise ValueError(
            f"SURVEY_LANGUAGES: unknown language {unknown[0]!r}; known: {', '.join(LANGUAGES)}"
        )


def is_interface_language(code: str) -> bool:
    """Whether the site's buttons and messages exist in `code`."""
    return code in current_app.config["LANGUAGES"]


def language_name(code: str) -> str:
    """The language's name in the reader's language ("Tiếng Ba Na" / "Bahnar"), the code
    itself for a language this version does not know (kept in an old survey)."""
    name = NAMES.get(code)
    return str(name) if name is not None else code


def own_name(code: str) -> str:
    """The language's name as its speakers write it ("Bahnar", "Êđê"), for the form's switch."""
    return OWN_NAMES.get(code, code)


def switch_label(code: str) -> str:
    """How the form's language switch names a language: its own name, and the reader's name
    for it when the two differ ("Êđê (Tiếng Ê Đê)")."""
    own, name = own_name(code), language_name(code)
    return own if own.casefold() == name.casefold() else f"{own} ({name})"
