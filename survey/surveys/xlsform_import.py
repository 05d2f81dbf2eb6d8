"""An XLSForm (.xlsx) read into a survey definition (docs/contract.md#xlsform).

pyxform, the reference parser, reads and checks the workbook (its reader, then
`workbook_to_json`); this module maps pyxform's JSON onto the platform's definition and reports,
row by row, what it could not hold (survey.surveys.xlsform_findings). Nothing here writes: the
caller loads the definition (`flask survey import-xlsform`, the builder's upload).
"""

import io
import zipfile
from datetime import datetime, timezone

from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform
from slugify import slugify

from survey.core.codes import survey_code
from survey.core.languages import LANGUAGES, content_languages
from survey.surveys.definitions import DefinitionError, check_definition, worded
from survey.surveys.question_rules import Problem, check_question, is_code, target_of
from survey.surveys.xlsform_common import (
    AUDIENCE_COLUMN,
    CRITERION_COLUMN,
    DESCRIPTION_COLUMN,
    FEEDBACK_COLUMN,
    KIND_COLUMN,
    MAX_XLSFORM_BYTES,
    ORGANIZATION_COLUMN,
    ORGANIZATIONS_COLUMN,
    TITLE_COLUMN,
    TOPIC_COLUMN,
    VALUE_COLUMN,
    YEAR_COLUMN,
    YES_NO_NAMES,
    is_false,
    is_true,
    language_code,
)
from survey.surveys.xlsform_expressions import Unheld, Why, parse_bounds, parse_length
from survey.surveys.xlsform_expressions import parse_relevant as parse_condition
from survey.surveys.xlsform_findings import (
    Finding,
    Imported,
    Level,
    Reason,
    Refusal,
    XLSFormError,
    english,
)

QUESTION_TYPES = ("select one", "select all that apply", "integer", "decimal", "text")
METADATA_TYPES = (
    "start",
    "end",
    "today",
    "deviceid",
    "phonenumber",
    "username",
    "email",
    "simserial",
    "subscriberid",
    "audit",
    "start-geopoint",
)
# What the workbook's parts may unpack to: a real XLSForm unpacks to a few times its size.
MAX_UNPACKED_BYTES = 20 * MAX_XLSFORM_BYTES
LIKERT_NAMES = ("1", "2", "3", "4", "5")
NPS_NAMES = tuple(str(n) for n in range(11))


def check_workbook_bytes(data):
    """Refuse data that is too large or not an .xlsx workbook (a zip with xl/workbook.xml)."""
    if len(data) > MAX_XLSFORM_BYTES:
        raise XLSFormError(Refusal.TOO_BIG)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError):
        raise XLSFormError(Refusal.NOT_XLSX) from None
    if "xl/workbook.xml" not in {part.filename for part in parts}:
        raise XLSFormError(Refusal.NOT_XLSX)
    if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:  # a zip bomb
        raise XLSFormError(Refusal.TOO_BIG)


def read_xlsform(data, *, strict=False, taken=(), **given):
    """The Imported of workbook `data` (bytes).

    `given` may hold code, year, audience, topic and organizations, which win over the
    settings sheet; `taken` are survey codes a code made from the title must avoid.
    Raise XLSFormError for a workbook refused whole."""
    check_workbook_bytes(data)
    try:
        workbook = get_xlsform(data, file_type=".xlsx")
    except Exception as error:  # a damaged zip or XML part fails deep in zlib or a parser
        raise XLSFormError(Refusal.UNREADABLE, _one_line(error)) from None
    try:
        form = workbook_to_json(workbook_dict=workbook, warnings=[])
    except PyXFormError as error:
        raise XLSFormError(Refusal.INVALID, _one_line(error)) from None
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        # pyxform stumbling on a workbook it did not foresee: still not an XLSForm it takes
        raise XLSFormError(Refusal.INVALID, _one_line(error)) from None
    mapper = _Mapper(workbook, form)
    mapper.walk(form.get("children", []), "", [])
    mapper.leftover_notes()
    definition = mapper.survey_fields(given, taken)
    findings = sorted(mapper.findings, key=_finding_order)
    imported = Imported(definition, findings, mapper.media)
    if strict and imported.refused():
        raise XLSFormError(Refusal.STRICT, english(imported.refused()[0]), imported.findings)
    try:
        check_definition(imported.definition)
    except DefinitionError as error:
        raise XLSFormError(Refusal.DEFINITION, str(error), imported.findings) from None
    return imported


def _finding_order(finding):
    return (("survey", "choices", "settings").index(finding.sheet), finding.row or 0)


def _one_line(error):
    return " ".join(str(error).split())[:300] or type(error).__name__


def _rows_by_path(rows):
    """{"group/name": sheet row number} of the survey sheet's rows (header is row 1)."""
    found, stack = {}, []
    for index, row in enumerate(rows):
        kind = " ".join(str(row.get("type", "")).replace("_", " ").split()).lower()
        name = row.get("name")
        if kind.startswith("end "):
            if stack:
                stack.pop()
            continue
        if name:
            found["/".join([*stack, name])] = index + 2
        if kind in ("begin group", "begin repeat") or kind.startswith("begin "):
            stack.append(name or "")
    return found


class _Mapper:
    """pyxform's JSON of one workbook, mapped question by question."""

    def __init__(self, workbook, form):
        self.form = form
        self.survey_rows = workbook.survey or []
        self.rows = _rows_by_path(self.survey_rows)
        self.choice_rows = {
            (row.get("list_name"), row.get("name")): index + 2
            for index, row in enumerate(workbook.choices or [])
        }
        self.settings = (workbook.settings or [{}])[0]
        self.offered = content_languages()
        self.findings, self.media, self.questions = [], [], []
        self.languages = {"vi"}
        self.targets = {}  # code -> Target, for check_question
        self.answers = {}  # XLSForm name -> (code, kind, {choice name: answer})
        self.pending = []  # notes and headings waiting for the next question
        self._seen_languages = {}
        # The plain columns' language: the settings' default_language (reported when not one
        # offered here: its texts are left out), or Vietnamese.
        default = form.get("default_language", "default")
        self.default_language = "vi" if default == "default" else self.language(default, "settings")
        self.header_languages(workbook)

    def header_languages(self, workbook):
        """The languages of the label and hint columns: the survey's, even where empty."""
        for sheet, header in (
            ("survey", workbook.survey_header),
            ("choices", workbook.choices_header),
        ):
            for column in (header or [{}])[0]:
                kind, _sep, name = column.partition("::")
                if kind in ("label", "hint") and name:
                    code = self.language(name.strip(), sheet)
                    if code is not None:
                        self.languages.add(code)

    def note(self, sheet, row, level, reason, **values):
        self.findings.append(Finding(sheet, row, level, reason, values))

    def walk(self, children, prefix, conditions):
        for element in children:
            name = element.get("name", "")
            path = f"{prefix}{name}"
            row = self.rows.get(path)
            kind = element.get("type")
            if kind == "group":
                if row is None and element.get("control", {}).get("bodyless"):
                    continue  # pyxform's own meta group (instanceID)
                self.group(element, path, row, conditions)
            elif kind == "repeat":
                self.repeat(element, path, row)
            else:
                self.element(element, row, conditions)

    def group(self, element, path, row, conditions):
        heading = self.texts(element.get("label"))
        if heading.get("vi"):
            self.pending.append((Reason.HEADING, element["name"], row, heading))
        relevant = element.get("bind", {}).get("relevant")
        inner = [*conditions, (relevant, row)] if relevant else conditions
        self.walk(element.get("children", []), f"{path}/", inner)

    def repeat(self, element, path, row):
        self.note("survey", row, Level.REFUSED, Reason.REPEAT, name=element["name"])
        stack = [(element, path)]
        while stack:
            parent, where = stack.pop()
            for child in parent.get("children", []):
                child_path = f"{where}/{child.get('name', '')}"
                if child.get("type") in ("group", "repeat"):
                    stack.append((child, child_path))
                elif child_path in self.rows:
                    row = self.rows[child_path]
                    name = child.get("name")
                    self.note("survey", row, Level.REFUSED, Reason.IN_REPEAT, name=name)

    def element(self, element, row, conditions):
        kind = element.get("type")
        name = element.get("name")
        raw_type = self.raw(row).get("type", kind) if row else kind
        if row is None:
            return  # pyxform's own (the text of an or_other, which is refused on its row)
        if kind in METADATA_TYPES:
            self.note("survey", row, Level.CHANGED, Reason.METADATA, type=raw_type)
        elif kind == "note":
            self.pending.append((Reason.NOTE_AS_HELP, name, row, self.texts(element.get("label"))))
        elif kind in QUESTION_TYPES and "or_other" in str(raw_type):
            self.note("survey", row, Level.REFUSED, Reason.OR_OTHER, name=name)
        elif kind in QUESTION_TYPES:
            self.question(element, row, conditions)
        else:
            self.note("survey", row, Level.REFUSED, Reason.TYPE, type=raw_type)

    def raw(self, row):
        return self.survey_rows[row - 2] if row and 0 <= row - 2 < len(self.survey_rows) else {}

    def leftover_notes(self):
        for reason, name, row, _texts in self.pending:
            if reason == Reason.NOTE_AS_HELP:
                self.note("survey", row, Level.REFUSED, Reason.NOTE_UNUSED, name=name)
        self.pending = []

    # Texts and languages

    def texts(self, value, sheet="survey"):
        """{code: text} of a label or hint (a text, or texts by XLSForm language name)."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            value = {"default": value}
        found = {}
        for name, text in value.items():
            code = self.language(name, sheet)
            if code is not None and str(text).strip():
                found[code] = str(text)
                self.languages.add(code)
        return found

    def language(self, name, sheet):
        if name == "default":
            return self.default_language
        if name not in self._seen_languages:
            code = language_code(name)
            if code is None or code not in LANGUAGES:
                self.note(sheet, None, Level.REFUSED, Reason.LANGUAGE_UNKNOWN, language=name)
                code = None
            elif code not in self.offered:
                self.note(sheet, None, Level.REFUSED, Reason.LANGUAGE_NOT_OFFERED, language=name)
                code = None
            self._seen_languages[name] = code
        return self._seen_languages[name]

    # Questions

    def question(self, element, row, conditions):
        name = element["name"]
        text = self.texts(element.get("label"))
        if not text.get("vi"):
            self.note("survey", row, Level.REFUSED, Reason.NO_VIETNAMESE, name=name)
            return
        if element["type"].startswith("select") and not element.get("choices"):
            self.note("survey", row, Level.REFUSED, Reason.NO_CHOICES, name=name)
            return
        code = self.code(name, row, set(self.targets), "survey")
        kind, answers, options = self.kind_and_answers(element, code, row)
        question = {"code": code, "kind": kind, "text": text}
        if options:
            question["options"] = options
        self.tags(question, element)
        self.unheld(element, row)
        self.bounds(question, element, row)
        condition = self.condition(element, row, conditions)
        if condition is not None:
            question["show_if"] = condition
        try:
            check_question(
                question, languages=LANGUAGES, earlier=self.targets, other_codes=self.targets
            )
        except Problem as problem:
            detail = worded(problem)
            self.note("survey", row, Level.REFUSED, Reason.QUESTION_RULE, name=name, detail=detail)
            return
        self.help(question, element)
        self.question_media(element, code, None, row)
        self.questions.append(question)
        self.targets[code] = target_of(kind, [o["code"] for o in options])
        self.answers[name] = (code, kind, answers)

    def code(self, name, row, taken, sheet):
        code = name if is_code(name, 32) and name not in taken else None
        if code is None:
            base = slugify(name, separator="_", max_length=32, lowercase=True) or "q"
            code, n = base, 2
            while code in taken or not is_code(code, 32):
                suffix = f"_{n}"
                code = f"{base[: 32 - len(suffix)]}{suffix}".lstrip("_-") or f"q{suffix}"
                n += 1
            self.note(sheet, row, Level.CHANGED, Reason.CODE, name=name, code=code)
        return code

    def kind_and_answers(self, element, code, row):
        """(kind, {choice name: answer}, options) of a question."""
        kind = {"integer": "number", "decimal": "number", "text": "text"}.get(element["type"])
        if kind is not None:
            return kind, {}, []
        choices = element["choices"]
        names = [str(c.get("name")) for c in choices]
        kind = _select_kind(element, names)
        if kind == "likert5":
            by_order = sorted(names) != list(LIKERT_NAMES)
            answers = {n: (i + 1 if by_order else int(n)) for i, n in enumerate(names)}
        elif kind == "nps":
            answers = {n: int(n) for n in names}
        elif kind == "yesno":
            answers = {n: YES_NO_NAMES[n.casefold()] for n in names}
        else:
            options = self.options(element, choices, code)
            return kind, {n: o["code"] for n, o in zip(names, options, strict=True)}, options
        self.note("survey", row, Level.CHANGED, Reason.SCALE, name=element["name"], kind=kind)
        list_name = element.get("list_name") or element.get("itemset")
        for choice in choices:  # a face's recording is the survey's, per answer 1-5
            name = str(choice.get("name"))
            where = self.choice_rows.get((list_name, name))
            self.question_media(choice, code, str(answers[name]), where, sheet="choices")
        return kind, answers, []

    def options(self, element, choices, question_code):
        options, taken = [], set()
        list_name = element.get("list_name") or element.get("itemset")
        for choice in choices:
            name = str(choice.get("name"))
            row = self.choice_rows.get((list_name, name))
            code = self.code(name, row, taken, "choices")
            taken.add(code)
            option = {"code": code, "label": self.texts(choice.get("label"), "choices")}
            value = _number(choice.get(VALUE_COLUMN))
            if value is not None:
                option["value"] = value
            options.append(option)
            self.question_media(choice, question_code, code, row, sheet="choices")
        return options

    def tags(self, question, element):
        if is_true(element.get("bind", {}).get("required")):
            question["required"] = True
        for column, key in ((CRITERION_COLUMN, "criterion"), (ORGANIZATION_COLUMN, "organization")):
            value = str(element.get(column) or "").strip()
            if value:
                question[key] = value
        if is_true(element.get(FEEDBACK_COLUMN)):
            question["feedback"] = True

    def unheld(self, element, row):
        """Report what of a kept question is not kept: a required expression, a choice filter;
        and a label that quotes an answer (${q}), shown as written."""
        name = element["name"]
        required = str(element.get("bind", {}).get("required") or "").strip()
        if required and not is_true(required) and not is_false(required):
            self.note("survey", row, Level.REFUSED, Reason.REQUIRED, name=name, expression=required)
        if element.get("choice_filter"):
            expression = element["choice_filter"]
            self.note("survey", row, Level.REFUSED, Reason.FILTER, name=name, expression=expression)
        label = element.get("label")
        texts = label.values() if isinstance(label, dict) else [label]
        if any("${" in str(text) for text in texts):
            self.note("survey", row, Level.CHANGED, Reason.PIPING, name=name)

    def bounds(self, question, element, row):
        expression = element.get("bind", {}).get("constraint")
        if not expression:
            return
        try:
            if question["kind"] == "number":
                question.update(parse_bounds(expression))
                return
            if question["kind"] == "text":
                question["max_length"] = parse_length(expression)
                return
        except Unheld:
            pass
        name = element["name"]
        self.note("survey", row, Level.REFUSED, Reason.CONSTRAINT, name=name, expression=expression)

    def condition(self, element, row, conditions):
        """The show_if of a question from its relevant and its groups' (one at most)."""
        own = element.get("bind", {}).get("relevant")
        expressions = [e for e, _row in conditions] + ([own] if own else [])
        if not expressions:
            return None
        expression = " and ".join(f"({e})" if len(expressions) > 1 else e for e in expressions)
        try:
            if len(expressions) > 1:
                raise Unheld(Why.AND)
            return self.show_if(expression)
        except Unheld as unheld:
            self.note(
                "survey",
                row,
                Level.REFUSED,
                Reason.CONDITION,
                name=element["name"],
                expression=expression,
                why=unheld.why,
                **unheld.values,
            )
            return None

    def show_if(self, expression):
        name, values = parse_condition(expression)
        if name not in self.answers:
            raise Unheld(Why.NOT_EARLIER, question=name)
        code, kind, answers = self.answers[name]
        if kind in ("number", "text"):
            raise Unheld(Why.NO_ANSWERS, question=name)
        held = []
        for value in values:
            if value not in answers:
                raise Unheld(Why.NOT_AN_ANSWER, question=name, value=value)
            if answers[value] not in held:
                held.append(answers[value])
        return {"question": code, "in": held}

    def help(self, question, element):
        """The question's hint, after the notes and group headings just before it (joined by
        a dash: the form shows help as one paragraph)."""
        parts = []
        for reason, name, row, texts in self.pending:
            self.note("survey", row, Level.CHANGED, reason, name=name, code=question["code"])
            parts.append(texts)
        self.pending = []
        parts.append(self.texts(element.get("hint")))
        help_texts = {}
        for texts in parts:
            for lang, text in texts.items():
                help_texts[lang] = f"{help_texts[lang]} — {text}" if lang in help_texts else text
        if help_texts:
            question["help"] = help_texts

    def question_media(self, element, code, option, row, sheet="survey"):
        for media, files in (element.get("media") or {}).items():
            if not isinstance(files, dict):
                files = {"default": files}
            where = f"question {code!r}" + (f", option {option!r}" if option else "")
            for language, file in files.items():
                if media != "audio":  # pictures: the form shows none (and video, ...)
                    name = element.get("name")
                    self.note(sheet, row, Level.REFUSED, Reason.MEDIA_OTHER, media=media, name=name)
                    continue
                lang = self.language(language, sheet)
                item = {"media": media, "file": str(file), "language": lang or language}
                self.media.append(item | {"question": code, "option": option})
                self.note(
                    sheet,
                    row,
                    Level.MEDIA,
                    Reason.MEDIA,
                    where=where,
                    question=code,
                    option=option,
                    **item,
                )

    # The survey's own fields

    def survey_fields(self, given, taken):
        settings = self.settings
        title = self.texts(self.form.get(TITLE_COLUMN), "settings")
        if settings.get("form_title"):
            title[self.default_language] = str(settings["form_title"])
        fallback = settings.get("form_title") or settings.get("form_id") or "XLSForm"
        title.setdefault("vi", str(fallback))
        year = given.get("year") or _whole(settings.get(YEAR_COLUMN))
        year = year or datetime.now(timezone.utc).year
        code = given.get("code") or slugify(str(settings.get("form_id") or ""), max_length=64)
        code = code or survey_code(title["vi"], year, set(taken))
        organizations = given.get("organizations")
        if organizations is None:
            organizations = str(settings.get(ORGANIZATIONS_COLUMN) or "").split()
        definition = {
            "code": code,
            "audience": given.get("audience") or settings.get(AUDIENCE_COLUMN) or "public",
            "topic": given.get("topic") or settings.get(TOPIC_COLUMN) or "other",
            "year": year,
            "title": title,
        }
        description = self.texts(self.form.get(DESCRIPTION_COLUMN), "settings")
        if description:
            definition["description"] = description
        definition["languages"] = [lang for lang in LANGUAGES if lang in self.languages]
        definition["organizations"] = list(organizations)
        definition["questions"] = self.questions
        return definition


def _select_kind(element, names):
    """likert5, nps, yesno, single or multi: a platform_kind column says it, else the list."""
    if element["type"] == "select all that apply":
        return "multi"
    fits = {
        "likert5": len(names) == 5,
        "nps": sorted(names, key=_int_or_text) == list(NPS_NAMES),
        "yesno": len(names) == 2
        and all(n.casefold() in YES_NO_NAMES for n in names)
        and {YES_NO_NAMES[n.casefold()] for n in names} == {0, 1},
        "single": True,
    }
    declared = str(element.get(KIND_COLUMN) or "").strip().lower()
    if fits.get(declared):
        return declared
    appearance = str(element.get("control", {}).get("appearance") or "")
    if sorted(names) == list(LIKERT_NAMES) or (fits["likert5"] and "likert" in appearance):
        return "likert5"
    for kind in ("nps", "yesno"):
        if fits[kind]:
            return kind
    return "single"


def _int_or_text(name):
    return (0, int(name)) if name.isdigit() else (1, name)


def _number(value):
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def _whole(value):
    number = _number(value)
    return number if isinstance(number, int) else None
