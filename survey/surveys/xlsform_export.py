"""A survey definition written as an XLSForm (.xlsx): survey, choices and settings sheets, a
column per language of the survey (docs/contract.md#xlsform).

pyxform reads the file (xls2xform converts it) and `flask survey import-xlsform` reads it back
to the same definition: the platform's own fields ride in its own columns
(survey.surveys.xlsform_common).
"""

import io

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Font

from survey.responses.survey_form import LIKERT_WORDS
from survey.surveys.xlsform_common import (
    AUDIENCE_COLUMN,
    CRITERION_COLUMN,
    DESCRIPTION_COLUMN,
    FEEDBACK_COLUMN,
    KIND_COLUMN,
    ORGANIZATION_COLUMN,
    ORGANIZATIONS_COLUMN,
    SCALE_NAMES,
    TITLE_COLUMN,
    TOPIC_COLUMN,
    VALUE_COLUMN,
    YEAR_COLUMN,
    column_language,
    xml_name,
)
from survey.surveys.xlsform_expressions import constraint_of, relevant_of

TYPES = {"single": "select_one", "multi": "select_multiple", "number": "decimal", "text": "text"}
TYPES |= dict.fromkeys(SCALE_NAMES, "select_one")
SCALE_LISTS = {"likert5": "scale_1_5", "nps": "scale_0_10", "yesno": "yes_no"}


def xlsform_bytes(definition, audio=None):
    """The .xlsx bytes of `definition` (as dump_definition makes it); `audio` names the sound
    files of its texts, {(question code, option code or face or None, language): file name}
    (xlsform_media.recordings; a face's key has "" for its question), in media::audio columns."""
    languages = definition.get("languages", ["vi"])
    audio = audio or {}
    spoken = [lang for lang in languages if any(key[2] == lang for key in audio)]
    lists = _list_names(definition)
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    rows = (
        row | _audio(audio, (q["code"], None), spoken)
        for row, q in zip(
            _survey_rows(definition, languages, lists), definition["questions"], strict=True
        )
    )
    _write(survey, _survey_header(languages) + _texts_columns(AUDIO, spoken), rows)
    choices = workbook.create_sheet("choices")
    rows = (
        row | _audio(audio, _choice_key(row, definition, lists), spoken)
        for row in _choice_rows(definition, languages, lists)
    )
    _write(choices, _choices_header(languages) + _texts_columns(AUDIO, spoken), rows)
    settings = workbook.create_sheet("settings")
    header, row = _settings(definition, languages)
    _write(settings, header, [row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


AUDIO = "media::audio"


def _audio(audio, key, languages):
    """The media::audio cells of one row: the file named for each language, if any."""
    return {
        f"{AUDIO}::{column_language(lang)}": audio[(*key, lang)]
        for lang in languages
        if (*key, lang) in audio
    }


def _choice_key(row, definition, lists):
    """(question code, option code) of a choices row; ("", face) for the 1-5 scale's list."""
    question = next(q for q in definition["questions"] if lists.get(q["code"]) == row["list_name"])
    if question["kind"] == "likert5":
        return ("", row["name"])
    return (question["code"], row["name"])


def _write(sheet, header, rows):
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row.get(column) for column in header])
    sheet.freeze_panes = "A2"


def _texts_columns(field, languages):
    return [f"{field}::{column_language(lang)}" for lang in languages]


def _texts(field, texts, languages):
    return {
        f"{field}::{column_language(lang)}": (texts or {}).get(lang) or None for lang in languages
    }


def _survey_header(languages):
    return [
        "type",
        "name",
        *_texts_columns("label", languages),
        *_texts_columns("hint", languages),
        "required",
        "relevant",
        "constraint",
        "appearance",
        KIND_COLUMN,
        CRITERION_COLUMN,
        ORGANIZATION_COLUMN,
        FEEDBACK_COLUMN,
    ]


def _list_names(definition):
    """{question code: its choice list's name}: each choice question its own list (named by its
    code), the fixed scales one shared list each."""
    codes = {q["code"] for q in definition["questions"]}
    names = {}
    for question in definition["questions"]:
        kind = question["kind"]
        if kind in SCALE_LISTS:
            name = SCALE_LISTS[kind]
            while name in codes:
                name = f"{name}_"
            names[question["code"]] = name
        elif kind in ("single", "multi"):
            names[question["code"]] = xml_name(question["code"])
    return names


def _survey_rows(definition, languages, lists):
    kinds = {q["code"]: q["kind"] for q in definition["questions"]}
    for question in definition["questions"]:
        kind = question["kind"]
        list_name = lists.get(question["code"])
        row = {
            "type": f"{TYPES[kind]} {list_name}" if list_name else TYPES[kind],
            "name": xml_name(question["code"]),
            "required": "yes" if question.get("required") else None,
            "constraint": constraint_of(question),
            "appearance": "likert" if kind == "likert5" else None,
            KIND_COLUMN: kind,
            CRITERION_COLUMN: question.get("criterion"),
            ORGANIZATION_COLUMN: question.get("organization"),
            FEEDBACK_COLUMN: "yes" if question.get("feedback") else None,
        }
        row |= _texts("label", question["text"], languages)
        row |= _texts("hint", question.get("help"), languages)
        condition = question.get("show_if")
        if condition:
            target = condition["question"]
            answers = [str(v) for v in condition["in"]]
            row["relevant"] = relevant_of(xml_name(target), kinds[target], answers)
        yield row


def _choices_header(languages):
    return ["list_name", "name", *_texts_columns("label", languages), VALUE_COLUMN]


def _choice_rows(definition, languages, lists):
    written = set()
    for question in definition["questions"]:
        kind = question["kind"]
        list_name = lists.get(question["code"])
        if list_name is None or list_name in written:
            continue
        written.add(list_name)
        if kind in SCALE_NAMES:
            yield from _scale_rows(kind, list_name, languages)
            continue
        for option in question.get("options") or []:
            row = {"list_name": list_name, "name": option["code"]}
            row[VALUE_COLUMN] = option.get("value")
            yield row | _texts("label", option["label"], languages)


def _scale_rows(kind, list_name, languages):
    """A fixed scale's answers, labelled with the words the form shows (in the languages the
    interface speaks; the others show these in Vietnamese on the form too)."""
    for name in SCALE_NAMES[kind]:
        row = {"list_name": list_name, "name": name}
        for lang in languages:
            if lang in ("vi", "en"):
                with force_locale(lang):
                    row[f"label::{column_language(lang)}"] = _scale_word(kind, name)
        yield row


def _scale_word(kind, name):
    if kind == "likert5":
        return str(LIKERT_WORDS[int(name) - 1])
    if kind == "yesno":
        from flask_babel import gettext as _

        return _("Yes") if name == "1" else _("No")
    return name


def _settings(definition, languages):
    others = [lang for lang in languages if lang != "vi"]
    header = [
        "form_title",
        "form_id",
        "default_language",
        *[f"{TITLE_COLUMN}::{column_language(lang)}" for lang in others],
        *_texts_columns(DESCRIPTION_COLUMN, languages),
        AUDIENCE_COLUMN,
        TOPIC_COLUMN,
        YEAR_COLUMN,
        ORGANIZATIONS_COLUMN,
    ]
    row = {
        "form_title": definition["title"]["vi"],
        "form_id": definition["code"],
        "default_language": column_language("vi"),
        AUDIENCE_COLUMN: definition["audience"],
        TOPIC_COLUMN: definition["topic"],
        YEAR_COLUMN: definition["year"],
        ORGANIZATIONS_COLUMN: " ".join(definition.get("organizations", [])) or None,
    }
    row |= {
        f"{TITLE_COLUMN}::{column_language(lang)}": definition["title"].get(lang) or None
        for lang in others
    }
    row |= _texts(DESCRIPTION_COLUMN, definition.get("description"), languages)
    return header, row
