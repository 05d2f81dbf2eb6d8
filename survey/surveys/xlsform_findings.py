"""What an XLSForm import reports, row by row, and why a workbook is refused whole.

A Finding names the sheet and row, its level (refused: something of the row was not imported;
changed: imported another way than written; media: a file to attach), a Reason and the values a
message quotes. The command line words it in English (`english`); the builder in Vietnamese
(`vietnamese`).
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey.core.languages import language_name
from survey.models.vocabulary import KIND_NAMES
from survey.surveys.xlsform_common import MAX_XLSFORM_BYTES
from survey.surveys.xlsform_expressions import Why


class Level(StrEnum):
    REFUSED = "refused"
    CHANGED = "changed"
    MEDIA = "media"


class Reason(StrEnum):
    TYPE = "type"  # a question type the platform has no counterpart for
    REPEAT = "repeat"
    IN_REPEAT = "in_repeat"
    OR_OTHER = "or_other"
    NO_CHOICES = "no_choices"  # a list from a file, or none
    NO_VIETNAMESE = "no_vietnamese"
    QUESTION_RULE = "question_rule"  # the platform's question rules refuse it
    CONDITION = "condition"  # a relevant not held; the question is kept without it
    CONSTRAINT = "constraint"  # a constraint not held; kept without it
    REQUIRED = "required"  # required on a condition: kept, not required
    FILTER = "filter"  # a choice_filter: kept, every choice shown
    PIPING = "piping"  # a label quoting an answer: shown as written
    NOTE_UNUSED = "note_unused"  # a note with no question after it
    LANGUAGE_UNKNOWN = "language_unknown"
    LANGUAGE_NOT_OFFERED = "language_not_offered"
    MEDIA_OTHER = "media_other"  # video, big-image
    METADATA = "metadata"  # start, end, deviceid ...: not a question
    CODE = "code"  # a name made into a code
    NOTE_AS_HELP = "note_as_help"
    HEADING = "heading"  # a group's label as help of its first question
    SCALE = "scale"  # a choice list read as a fixed scale
    MEDIA = "media"


class Refusal(StrEnum):
    """Why a whole workbook is refused."""

    TOO_BIG = "too_big"
    NOT_XLSX = "not_xlsx"
    UNREADABLE = "unreadable"
    INVALID = "invalid"  # pyxform refuses it
    DEFINITION = "definition"  # the platform refuses the survey it makes
    STRICT = "strict"  # --strict, and a row could not be imported whole


class XLSFormError(ValueError):
    """A workbook refused whole: `refusal` (a Refusal), `detail` (English, pyxform's words or
    the first finding) and the `findings` so far."""

    def __init__(self, refusal, detail="", findings=()):
        super().__init__(f"{refusal}: {detail}")
        self.refusal = refusal
        self.detail = detail
        self.findings = list(findings)

    def english(self):
        return {
            Refusal.TOO_BIG: f"the file is larger than {MAX_XLSFORM_BYTES // 2**20} MB",
            Refusal.NOT_XLSX: "not an .xlsx workbook (an XLSForm is saved as Excel .xlsx)",
            Refusal.UNREADABLE: f"the workbook cannot be read ({self.detail})",
            Refusal.INVALID: f"not a valid XLSForm: {self.detail}",
            Refusal.DEFINITION: f"the survey cannot be made: {self.detail}",
            Refusal.STRICT: f"refused whole (--strict): {self.detail}",
        }[self.refusal]


@dataclass
class Imported:
    """A workbook read: the definition, what the import reports, and the media to attach
    ({"question", "option", "language", "media", "file"} each)."""

    definition: dict
    findings: list = field(default_factory=list)
    media: list = field(default_factory=list)

    def refused(self):
        return [f for f in self.findings if f.level == Level.REFUSED]


class Finding(NamedTuple):
    sheet: str
    row: int | None
    level: Level
    reason: Reason
    values: dict


ENGLISH = {
    Reason.TYPE: "type {type!r} has no counterpart here; the question was not imported",
    Reason.REPEAT: "repeat {name!r} is not supported; its questions were not imported",
    Reason.IN_REPEAT: "{name!r} is inside a repeat; it was not imported",
    Reason.OR_OTHER: "or_other is not supported (add an 'other' choice and a text question "
    "shown when it is chosen); the question was not imported",
    Reason.NO_CHOICES: "{name!r} has no choices on the choices sheet (a list from a file is "
    "not supported); the question was not imported",
    Reason.NO_VIETNAMESE: "{name!r} has no label in Vietnamese; the question was not imported",
    Reason.QUESTION_RULE: "{name!r} was not imported: {detail}",
    Reason.CONDITION: "relevant {expression!r} of {name!r} was not kept ({why}); the question "
    "is always shown",
    Reason.CONSTRAINT: "constraint {expression!r} of {name!r} was not kept (only `. >= N and "
    ". <= N` on a number or `string-length(.) <= N` on a text)",
    Reason.REQUIRED: "required {expression!r} of {name!r} was not kept (a question is required "
    "or not); the question is not required",
    Reason.FILTER: "choice_filter {expression!r} of {name!r} was not kept; every choice is shown",
    Reason.PIPING: "the label of {name!r} quotes an answer (${{...}}); it is shown as written",
    Reason.NOTE_UNUSED: "note {name!r} has no question after it; it was not imported",
    Reason.LANGUAGE_UNKNOWN: "language {language!r} is not one this platform knows; its texts "
    "were left out",
    Reason.LANGUAGE_NOT_OFFERED: "language {language!r} is not offered here; its texts were "
    "left out",
    Reason.MEDIA_OTHER: "media::{media} of {name!r} is not supported; the reference was left out",
    Reason.METADATA: "{type!r} is metadata, not a question; not imported",
    Reason.CODE: "name {name!r} became code {code!r}",
    Reason.NOTE_AS_HELP: "note {name!r} became the help text of question {code!r}",
    Reason.HEADING: "group {name!r}: its label became the help text of question {code!r}",
    Reason.SCALE: "{name!r} became a {kind} question; the choice labels are the platform's own",
    Reason.MEDIA: "{media} file named {file!r} ({where}, {language}): attach it on the "
    "survey's audio page",
}

WHY_ENGLISH = {
    Why.AND: "'and' between conditions: a question shows on one condition",
    Why.QUESTIONS: "conditions on different questions: {questions}",
    Why.NOT_EQUAL: "only '=' and selected() compare",
    Why.FUNCTION: "function {function}() is not supported",
    Why.SHAPE: "not of the form ${{q}} = 'x' or selected(${{q}}, 'x')",
    Why.NOT_EARLIER: "{question!r} is not an earlier question",
    Why.NO_ANSWERS: "{question!r} has no fixed answers",
    Why.NOT_AN_ANSWER: "{value!r} is not an answer of {question!r}",
    Why.BOUNDS: "not simple bounds",
}


def english(finding):
    """One line for the command line: where, then what."""
    where = f"{finding.sheet} sheet" + (f", row {finding.row}" if finding.row else "")
    values = dict(finding.values)
    if "why" in values:
        values["why"] = WHY_ENGLISH[values["why"]].format(**values)
    return f"{where}: {ENGLISH[finding.reason].format(**values)}"


VIETNAMESE = {
    Reason.TYPE: _l("type “%(type)s” has no counterpart here; the question was not imported"),
    Reason.REPEAT: _l("repeat “%(name)s” is not supported; its questions were not imported"),
    Reason.IN_REPEAT: _l("“%(name)s” is inside a repeat; it was not imported"),
    Reason.OR_OTHER: _l("“or_other” is not supported; the question was not imported"),
    Reason.NO_CHOICES: _l("“%(name)s” has no choices on the choices sheet; not imported"),
    Reason.NO_VIETNAMESE: _l("“%(name)s” has no label in Vietnamese; not imported"),
    Reason.QUESTION_RULE: _l("“%(name)s” was not imported: %(detail)s"),
    Reason.CONDITION: _l(
        "the condition “%(expression)s” of “%(name)s” was not kept (%(why)s); the question is "
        "always shown"
    ),
    Reason.CONSTRAINT: _l("the constraint “%(expression)s” of “%(name)s” was not kept"),
    Reason.REQUIRED: _l(
        "“required” “%(expression)s” of “%(name)s” was not kept; the question is not required"
    ),
    Reason.FILTER: _l(
        "the choice filter “%(expression)s” of “%(name)s” was not kept; every choice is shown"
    ),
    Reason.PIPING: _l("the text of “%(name)s” quotes an answer (${…}); it is shown as written"),
    Reason.NOTE_UNUSED: _l("note “%(name)s” has no question after it; not imported"),
    Reason.LANGUAGE_UNKNOWN: _l("language “%(language)s” is unknown; its texts were left out"),
    Reason.LANGUAGE_NOT_OFFERED: _l(
        "language “%(language)s” is not offered here; its texts were left out"
    ),
    Reason.MEDIA_OTHER: _l("media “%(media)s” of “%(name)s” is not supported; left out"),
    Reason.METADATA: _l("“%(type)s” is metadata, not a question; not imported"),
    Reason.CODE: _l("name “%(name)s” became code “%(code)s”"),
    Reason.NOTE_AS_HELP: _l("note “%(name)s” became the help text of question “%(code)s”"),
    Reason.HEADING: _l("group “%(name)s”: its label became the help text of “%(code)s”"),
    Reason.SCALE: _l("“%(name)s” became a “%(kind)s” question with the platform's own answers"),
    Reason.MEDIA: _l(
        "%(media)s file named “%(file)s” (%(where)s, %(language)s): attach it on the survey's "
        "audio page"
    ),
}

WHY_VIETNAMESE = {
    Why.AND: _l("conditions joined by “and”"),
    Why.QUESTIONS: _l("conditions on different questions"),
    Why.NOT_EQUAL: _l("only “=” and selected() compare"),
    Why.FUNCTION: _l("a function that is not supported"),
    Why.SHAPE: _l("an expression that is not supported"),
    Why.NOT_EARLIER: _l("not an earlier question"),
    Why.NO_ANSWERS: _l("a question without fixed answers"),
    Why.NOT_AN_ANSWER: _l("not one of the question's answers"),
    Why.BOUNDS: _l("not simple bounds"),
}


MEDIA_NAMES = {"audio": _l("Audio"), "image": _l("Picture")}


def vietnamese(finding):
    """One line for the builder's report, in the reader's language."""
    values = {key: str(value) for key, value in finding.values.items()}
    if "why" in finding.values:
        values["why"] = str(WHY_VIETNAMESE[finding.values["why"]])
    if finding.reason == Reason.SCALE:
        values["kind"] = str(KIND_NAMES[finding.values["kind"]])
    if finding.reason == Reason.MEDIA:
        values["media"] = str(MEDIA_NAMES[finding.values["media"]])
        values["where"] = _where_words(finding.values)
        values["language"] = language_name(finding.values["language"])
    message = str(VIETNAMESE[finding.reason]) % values
    if finding.row:
        return _("Sheet %(sheet)s, row %(row)d: %(message)s", **_where(finding), message=message)
    return _("Sheet %(sheet)s: %(message)s", sheet=finding.sheet, message=message)


def _where_words(values):
    if values.get("option"):
        return _(
            "question “%(question)s”, answer “%(option)s”",
            question=values["question"],
            option=values["option"],
        )
    return _("question “%(question)s”", question=values["question"])


def _where(finding):
    return {"sheet": finding.sheet, "row": finding.row}


def refusal_words(refused):
    """Why a workbook was refused whole, for the builder (an XLSFormError)."""
    words = {
        "too_big": _("The file is larger than %(size)d MB.", size=MAX_XLSFORM_BYTES // 2**20),
        "not_xlsx": _(
            "This is not an Excel workbook (.xlsx). Save the XLSForm as .xlsx and choose it again."
        ),
        "unreadable": _("The workbook could not be read: it may be damaged."),
        "invalid": _("This is not a valid XLSForm: %(detail)s", detail=refused.detail),
        "definition": _("No survey can be made from this file: %(detail)s", detail=refused.detail),
        "strict": _(
            "Nothing was imported: some rows cannot be imported as written (listed below). "
            "Untick the last box to import the rest."
        ),
    }
    return _("Nothing was imported.") + " " + words[refused.refusal]
