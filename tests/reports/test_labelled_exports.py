"""SPSS and Stata files: read back with pyreadstat, every row holds the values of the CSV
export's row, with the question texts as variable labels and the options as value labels (in
the language asked); hidden villages stay missing; the downloads follow the CSV's rules."""

import csv
import io
import math
import re

import pyreadstat
import pytest

from survey.core.text_safety import csv_value
from survey.reports.statistical import variable_name
from survey.responses.importing import FIXED_COLUMNS
from tests.factories import (
    EVERY_KIND,
    HIDDEN_VILLAGES,
    SURVEYED_VILLAGES,
    make_defined_survey,
    make_surveyed_commune,
    make_unit,
    make_user,
    submit_and_commit,
)
from tests.test_route_access import sign_in_quickly

READERS = {"sav": pyreadstat.read_sav, "dta": pyreadstat.read_dta}
VILLAGE_NAMES = {code: name for code, name, _people, _n in SURVEYED_VILLAGES}
WORDS = {
    "vi": {
        "yes": "Có",
        "no": "Không",
        "chosen": "Có chọn",
        "not": "Không chọn",
        "unit": "Thôn, làng",
    },
    "en": {"yes": "Yes", "no": "No", "chosen": "Chosen", "not": "Not chosen", "unit": "Village"},
}
EXPORT = "/dashboard/survey/hailong-nongdan-2025/export"


@pytest.fixture
def commune(db):
    return make_surveyed_commune(db)


def export(runner, tmp_path, code, fmt, *more):
    path = tmp_path / f"phieu.{fmt}"
    args = ["survey", "export", code, "--format", fmt, "-o", str(path), *more]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return path


def csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def label_of(meta, name, value):
    return meta.variable_value_labels[name][value]


def assert_same_as_csv(rows, frame, meta, questions, lang):
    """Each row of the file holds what the same row of the CSV holds, by the labels."""
    words = WORDS[lang]
    assert len(frame) == len(rows)
    assert meta.column_names_to_labels["unit"] == words["unit"]
    records = frame.to_dict("records")
    for row, record in zip(rows, records, strict=True):
        # Row ids are made afresh for each export: the same row number, another prefix.
        assert re.fullmatch(r"[0-9a-f]{8}-\d+", record["submission_uid"])
        assert record["submission_uid"].rsplit("-")[1] == row["submission_uid"].rsplit("-")[1]
        assert record["submitted_at"].isoformat() == row["submitted_at"]
        assert (record["channel"], record["lang"]) == (row["channel"], row["lang"])
        if row["unit"]:
            assert label_of(meta, "unit", record["unit"]) == VILLAGE_NAMES[row["unit"]]
        else:
            assert missing(record["unit"])
        for q in questions:
            _same_answer(q, row[q["code"]], record, meta, lang)


def _same_answer(q, cell, record, meta, lang):
    code, kind, words = q["code"], q["kind"], WORDS[lang]
    text = q["text"][lang]
    if kind == "multi":
        chosen = set(cell.split("|")) if cell else set()
        for option in q["options"]:
            name = f"{code}_{option['code']}"
            label = meta.column_names_to_labels[name]
            assert label == f"{text} — {option['label'][lang]}"
            value = record[name]
            if not cell:
                assert missing(value), name
            else:
                assert value == (1 if option["code"] in chosen else 0), name
                expected = words["chosen"] if option["code"] in chosen else words["not"]
                assert label_of(meta, name, value) == expected
        return
    assert meta.column_names_to_labels[code] == text
    value = record[code]
    if kind == "text":
        assert value == csv_value(cell)
    elif not cell:
        assert missing(value), (code, value)
    elif kind == "single":
        labels = {o["code"]: o["label"][lang] for o in q["options"]}
        assert label_of(meta, code, value) == labels[cell]
    elif kind == "yesno":
        assert value == int(cell)
        assert label_of(meta, code, value) == (words["yes"] if cell == "1" else words["no"])
    else:
        assert value == float(cell), code


@pytest.mark.parametrize("fmt", ["sav", "dta"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_file_holds_the_rows_and_labels_of_the_csv(runner, db, commune, tmp_path, fmt, lang):
    survey = commune["survey"]
    rows = csv_rows(export(runner, tmp_path, survey.code, "csv"))
    more = ("--lang", lang) if lang != "vi" else ()
    frame, meta = READERS[fmt](str(export(runner, tmp_path, survey.code, fmt, *more)))
    assert_same_as_csv(rows, frame, meta, EVERY_KIND, lang)

    # The variables: the CSV's columns, a multi question spread over its options.
    multi = [f"phong_trao_{o}" for o in ("ntm", "ngheo", "khong")]
    codes = [q["code"] for q in EVERY_KIND]
    assert list(frame.columns) == [
        *FIXED_COLUMNS,
        *codes[: codes.index("phong_trao")],
        *multi,
        *codes[codes.index("phong_trao") + 1 :],
    ]
    # Hidden villages stay missing, and go unnamed; the others are named.
    assert frame["unit"].isna().sum() == 2 + 8
    names = set(meta.variable_value_labels["unit"].values())
    assert names == {VILLAGE_NAMES["thon1"], VILLAGE_NAMES["thon2"]}
    assert not names & {VILLAGE_NAMES[code] for code in HIDDEN_VILLAGES}
    # The kinds: numbers are numbers, choices carry every option, texts are strings.
    options = {
        "vi": {1: "Loa thôn", 2: "Họp thôn"},
        "en": {1: "Village loudspeaker", 2: "Village meeting"},
    }
    assert meta.variable_value_labels["kenh"] == options[lang]
    faces = {
        "vi": {1: "Rất không hài lòng", 3: "Bình thường", 5: "Rất hài lòng"},
        "en": {1: "Very dissatisfied", 3: "Neutral", 5: "Very satisfied"},
    }
    assert faces[lang].items() <= meta.variable_value_labels["hl"].items()
    assert len(meta.variable_value_labels["hl"]) == 5
    assert meta.readstat_variable_types["hl"] == "double"
    assert meta.readstat_variable_types["gop_y"] == "string"
    assert set(frame["so_buoi"].dropna()) >= {1.5, 3.0}
    # The file says what it is: the survey's title, and (SPSS's note, Stata's label) the commune.
    title = survey.title[lang]
    if fmt == "sav":
        assert meta.file_label == title
        assert any("xã Hà Tam" in note and survey.code in note for note in meta.notes)
    else:
        assert meta.file_label == f"{title} — xã Hà Tam"


def test_the_downloads_hold_the_rows_of_the_csv_download(app, db, commune):
    make_user(db, username="officer", role="org_officer", organization=commune["nongdan"])
    make_user(db, username="committee", role="committee")
    db.session.commit()
    for username, lang in (("officer", "vi"), ("committee", "en")):
        client = app.test_client()
        sign_in_quickly(client, db, username)
        query = f"?lang={lang}"
        rows = list(
            csv.DictReader(io.StringIO(client.get(f"{EXPORT}.csv").data.decode("utf-8-sig")))
        )
        for fmt, mimetype in (
            ("sav", "application/x-spss-sav"),
            ("dta", "application/x-stata-dta"),
        ):
            response = client.get(f"{EXPORT}.{fmt}{query}")
            assert response.status_code == 200
            assert response.headers["Content-Type"] == mimetype
            assert response.headers["Content-Disposition"] == (
                f'attachment; filename="hailong-nongdan-2025-phieu-tra-loi.{fmt}"'
            )
            assert response.headers["Cache-Control"] == "private, no-store"
            path = app.instance_path + f"/download.{fmt}"
            with open(path, "wb") as f:
                f.write(response.data)
            frame, meta = READERS[fmt](path)
            shown = [q for q in EVERY_KIND if q["code"] in rows[0]]
            assert_same_as_csv(rows, frame, meta, shown, lang)


# --- names, lengths, an empty survey ---------------------------------------------------------

LONG_TEXT = "Câu hỏi rất dài về việc tổ chức họp thôn, sinh hoạt chi hội và các phong trào " * 3
AWKWARD = [
    {"code": "1a", "kind": "likert5", "text": {"vi": LONG_TEXT}},
    {"code": "a-b", "kind": "yesno", "text": {"vi": "Gạch nối"}},
    {"code": "a_b", "kind": "number", "text": {"vi": "Gạch dưới"}},
    {"code": "to", "kind": "nps", "text": {"vi": "Từ khoá của SPSS"}},
    {"code": "unit", "kind": "text", "max_length": 2000, "text": {"vi": "Trùng cột thôn"}},
    {
        "code": "m" * 32,
        "kind": "multi",
        "text": {"vi": LONG_TEXT},
        "options": [
            {"code": "o-1", "label": {"vi": "Lựa chọn có gạch nối"}},
            {"code": "o_1", "label": {"vi": "Lựa chọn có gạch dưới"}},
            {"code": "o2", "label": {"vi": LONG_TEXT}},
        ],
    },
    # Codes of 32 characters, the longest a question may have: a text keeps it, a variable
    # with value labels is shortened to 28 (pyreadstat's names of value labels add digits).
    {"code": "n" * 32, "kind": "text", "text": {"vi": "Mã dài"}},
    {
        "code": "s" * 32,
        "kind": "single",
        "text": {"vi": "Mã dài, có lựa chọn"},
        "options": [{"code": "a", "label": {"vi": "A"}}, {"code": "b", "label": {"vi": "B"}}],
    },
]
LEGAL = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")


def test_codes_are_made_legal_unique_names_and_labels_fit(runner, db, tmp_path):
    survey = make_defined_survey(db, AWKWARD, languages=["vi"], title={"vi": "Tên"})
    # A survey without responses yet gives a file with its variables and no rows.
    frame, meta = pyreadstat.read_sav(str(export(runner, tmp_path, survey.code, "sav")))
    assert len(frame) == 0 and len(frame.columns) == 5 + 10
    unit = make_unit(db, code="thon-a", name="Thôn A")
    long_answer = "Đường vào khu sản xuất bị sạt lở, " * 50  # 1,700 characters
    answers = {"1a": 4, "a-b": 1, "a_b": 2.5, "to": 9, "unit": long_answer, "m" * 32: ["o_1"]}
    answers |= {"s" * 32: "b"}
    for i in range(5):  # five: the village is shown
        submit_and_commit(survey, answers, submission_uid=f"r-{i}", unit_id=unit.id)
    rows = csv_rows(export(runner, tmp_path, survey.code, "csv"))
    # The multi question's variables: its code shortened so that the option's code stays in.
    multi = ("m" * 24 + "_o_1", "m" * 24 + "_o_2", "m" * 25 + "_o2")
    names = [*FIXED_COLUMNS, "q1a", "a_b", "a_b_2", "to_2", "unit_2", *multi, "n" * 32, "s" * 28]
    for fmt in ("sav", "dta"):
        frame, meta = READERS[fmt](str(export(runner, tmp_path, survey.code, fmt)))
        assert list(frame.columns) == names
        assert all(LEGAL.fullmatch(name) for name in frame.columns)
        record = frame.to_dict("records")[0]
        assert (record["q1a"], record["a_b"], record["a_b_2"], record["to_2"]) == (4, 1, 2.5, 9)
        # SPSS pads its strings with spaces: a text's trailing spaces are not kept.
        text = rows[0]["unit"]  # the CSV's last "unit" column: the question's
        assert text == long_answer and record["unit_2"] == (text.rstrip() if fmt == "sav" else text)
        assert (record[multi[0]], record[multi[1]], record[multi[2]]) == (0, 1, 0)
        assert meta.variable_value_labels["s" * 28][record["s" * 28]] == "B"
        assert meta.variable_value_labels["unit"] == {1: "Thôn A"}
        labels = meta.column_names_to_labels
        assert labels["a_b"] == "Gạch nối" and labels["to_2"] == "Từ khoá của SPSS"
        # Labels too long for the format are cut, and say so; the option stays readable.
        limit = 256 if fmt == "sav" else 80
        for name in ("q1a", *multi):
            size = len(labels[name].encode()) if fmt == "sav" else len(labels[name])
            assert size <= limit and "…" in labels[name]
        assert labels[multi[1]].endswith("… — Lựa chọn có gạch dưới")
        assert " — Câu hỏi rất dài" in labels[multi[2]]
    assert variable_name("Đường-1", set()) == "Duong_1"
    assert variable_name("1" * 40, set()) == "q" + "1" * 31


def test_the_command_refuses_a_language_the_survey_lacks(runner, db, commune, tmp_path):
    code = commune["survey"].code
    path = tmp_path / "x.sav"
    result = runner.invoke(
        args=["survey", "export", code, "--format", "sav", "--lang", "km", "-o", str(path)]
    )
    assert result.exit_code != 0
    assert f"--lang: survey '{code}' has no 'km' text; its languages: vi, en" in result.output
    result = runner.invoke(
        args=["survey", "export", code, "--format", "csv", "--lang", "en", "-o", str(path)]
    )
    assert result.exit_code != 0 and "--lang is for --format sav or dta" in result.output
    assert not path.exists()
