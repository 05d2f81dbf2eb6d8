"""What the XLSForm import and export share: language columns, the platform's own columns,
the names of the fixed scales' choice lists (docs/contract.md#xlsform).

An XLSForm names a language in its column headers ("label::Vietnamese (vi)", "label::Bahnar
(bdq)"); this platform keys texts by code ("vi", "bdq"). Fields with no XLSForm counterpart ride
in columns of the platform's own, which pyxform carries along untouched: `platform_kind`,
`platform_criterion`, `platform_organization`, `platform_feedback` on the survey sheet,
`platform_value` on the choices sheet, and `platform_title::…`, `platform_description::…`,
`platform_audience`, `platform_topic`, `platform_year`, `platform_organizations` on settings.
"""

import re

from survey.core.languages import LANGUAGES, OWN_NAMES

# The languages' names in English, as XLSForm headers write them: "label::Bahnar (bdq)".
ENGLISH_NAMES = {
    "vi": "Vietnamese",
    "en": "English",
    "bdq": "Bahnar",
    "jra": "Jrai",
    "rad": "Ede",
    "sed": "Sedang",
    "cmo": "Mnong",
    "km": "Khmer",
    "hmn": "Hmong",
    "cjm": "Cham",
}
_BY_NAME = {name.casefold(): code for code, name in ENGLISH_NAMES.items()} | {
    name.casefold(): code for code, name in OWN_NAMES.items()
}
_CODE_IN_BRACKETS = re.compile(r"\(\s*([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\s*\)\s*\Z")

# An XLSForm is a few hundred KB; one with every village of a province as choices stays well
# under this.
MAX_XLSFORM_BYTES = 5 * 2**20

# Survey sheet columns of the platform's own.
KIND_COLUMN = "platform_kind"
CRITERION_COLUMN = "platform_criterion"
ORGANIZATION_COLUMN = "platform_organization"
FEEDBACK_COLUMN = "platform_feedback"
# Choices sheet.
VALUE_COLUMN = "platform_value"
# Settings sheet.
TITLE_COLUMN = "platform_title"
DESCRIPTION_COLUMN = "platform_description"
AUDIENCE_COLUMN = "platform_audience"
TOPIC_COLUMN = "platform_topic"
YEAR_COLUMN = "platform_year"
ORGANIZATIONS_COLUMN = "platform_organizations"

# The fixed scales: their answers, as choice names.
SCALE_NAMES = {
    "likert5": ("1", "2", "3", "4", "5"),
    "nps": tuple(str(n) for n in range(11)),
    "yesno": ("1", "0"),
}
YES_NO_NAMES = {"yes": 1, "no": 0, "y": 1, "n": 0, "1": 1, "0": 0, "co": 1, "khong": 0}
TRUE_WORDS = ("yes", "true", "true()", "1", "có", "co")
FALSE_WORDS = ("no", "false", "false()", "0", "không", "khong")


def xml_name(code):
    """An XLSForm name for a platform code: names begin with a letter or _, codes may begin
    with a digit ("2_ba_con" -> "_2_ba_con"; the import makes the code again)."""
    return f"_{code}" if code[:1].isdigit() else code


def column_language(code):
    """The XLSForm language name of a platform language: "Bahnar (bdq)"."""
    return f"{ENGLISH_NAMES.get(code, code)} ({code})"


def language_code(name):
    """The language code an XLSForm language name stands for (perhaps one this platform does
    not know: the caller checks), or None for a name without a code that is no language here.

    >>> language_code("Bahnar (bdq)"), language_code("vi"), language_code("Tiếng Việt")
    ('bdq', 'vi', 'vi')
    >>> language_code("Klingon") is None
    True
    """
    name = (name or "").strip()
    found = _CODE_IN_BRACKETS.search(name)
    if found:
        return found.group(1).lower()
    if name.lower() in LANGUAGES:
        return name.lower()
    return _BY_NAME.get(name.casefold())


def is_true(value):
    """Whether an XLSForm cell says yes ("yes", "TRUE", "true()", 1)."""
    return str(value or "").strip().casefold() in TRUE_WORDS


def is_false(value):
    """Whether an XLSForm cell says no ("no", "FALSE", "false()", 0)."""
    return str(value or "").strip().casefold() in FALSE_WORDS
