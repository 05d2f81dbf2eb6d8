"""XLSForm import: each feature the platform holds, mapped; each it cannot, reported by row."""

import io
import json
import zipfile
from pathlib import Path

import pytest

from survey.surveys.definitions import survey_from_definition
from survey.surveys.xlsform_findings import Level, Reason, english
from survey.surveys.xlsform_import import Refusal, XLSFormError, read_xlsform
from tests.surveys.xlsform_books import one_question, workbook

YES_NO = [("list_name", "name", "label"), ("yn", "yes", "Có"), ("yn", "no", "Không")]


def questions(data, **given):
    return read_xlsform(data, **given).definition["questions"]


def test_labels_hints_and_settings_in_every_language(app):
    data = workbook(
        [
            (
                "type",
                "name",
                "label::Vietnamese (vi)",
                "label::English (en)",
                "label::Bahnar (bdq)",
                "hint::Vietnamese (vi)",
                "hint::Jrai (jra)",
            ),
            ("text", "y_kien", "Ý kiến?", "Opinion?", "Ơ kiến?", "Viết ngắn", "Chih hơdôm"),
        ],
        settings=[
            ("form_title", "form_id", "default_language"),
            ("Khảo sát ý kiến", "Y_Kien 2026", "Vietnamese (vi)"),
        ],
    )
    imported = read_xlsform(data, year=2026)
    definition = imported.definition
    assert definition["code"] == "y-kien-2026"
    assert definition["title"] == {"vi": "Khảo sát ý kiến"}
    assert definition["languages"] == ["vi", "en", "bdq", "jra"]
    assert definition["questions"] == [
        {
            "code": "y_kien",
            "kind": "text",
            "text": {"vi": "Ý kiến?", "en": "Opinion?", "bdq": "Ơ kiến?"},
            "help": {"vi": "Viết ngắn", "jra": "Chih hơdôm"},
        }
    ]
    assert imported.findings == []


def test_plain_label_is_the_default_language_or_vietnamese(app):
    plain = workbook(
        [("type", "name", "label", "label::English (en)"), ("text", "a", "Gì?", "What?")]
    )
    assert questions(plain)[0]["text"] == {"vi": "Gì?", "en": "What?"}
    english_first = workbook(
        [("type", "name", "label", "label::Vietnamese (vi)"), ("text", "a", "What?", "Gì?")],
        settings=[("default_language",), ("English (en)",)],
    )
    assert questions(english_first)[0]["text"] == {"vi": "Gì?", "en": "What?"}


def test_select_one_and_multiple_share_a_list_with_values(app):
    data = workbook(
        [
            ("type", "name", "label", "required"),
            ("select_one kenh", "kenh", "Kênh nào?", "yes"),
            ("select_multiple kenh", "kenh_khac", "Kênh nào nữa?", ""),
        ],
        [
            ("list_name", "name", "label", "label::English (en)", "platform_value"),
            ("kenh", "loa", "Loa", "Loudspeaker", "2"),
            ("kenh", "Hop.Thon", "Họp thôn", "Meeting", "1.5"),
        ],
    )
    single, multi = questions(data)
    options = [
        {"code": "loa", "label": {"vi": "Loa", "en": "Loudspeaker"}, "value": 2},
        {"code": "hop_thon", "label": {"vi": "Họp thôn", "en": "Meeting"}, "value": 1.5},
    ]
    assert single == {
        "code": "kenh",
        "kind": "single",
        "text": {"vi": "Kênh nào?"},
        "required": True,
        "options": options,
    }
    assert multi == {
        "code": "kenh_khac",
        "kind": "multi",
        "text": {"vi": "Kênh nào nữa?"},
        "options": options,
    }


@pytest.mark.parametrize(
    ("names", "extra", "kind", "answers"),
    [
        (["1", "2", "3", "4", "5"], {}, "likert5", [1, 2]),
        (["rat_te", "te", "tb", "tot", "rat_tot"], {"appearance": "likert"}, "likert5", [1, 2]),
        (["a", "b", "c", "d", "e"], {"platform_kind": "likert5"}, "likert5", [1, 2]),
        (["1", "2", "3", "4", "5"], {"platform_kind": "single"}, "single", ["1", "2"]),
        ([str(n) for n in range(11)], {}, "nps", [0, 1]),
        (["yes", "no"], {}, "yesno", [1, 0]),
        (["1", "0"], {}, "yesno", [1, 0]),
        (["co", "khong"], {}, "yesno", [1, 0]),
    ],
)
def test_choice_lists_that_are_the_platforms_scales(app, names, extra, kind, answers):
    header = ("type", "name", "label", "relevant", *extra)
    survey = [
        header,
        ("select_one scale", "hl", "Hài lòng?", "", *extra.values()),
        ("text", "vi_sao", "Vì sao?", f"${{hl}} = '{names[0]}' or ${{hl}} = '{names[1]}'"),
    ]
    choices = [("list_name", "name", "label")] + [("scale", n, f"Ý {n}") for n in names]
    imported = read_xlsform(workbook(survey, choices))
    scale, why = imported.definition["questions"]
    assert scale["kind"] == kind
    assert ("options" in scale) == (kind == "single")
    assert why["show_if"] == {"question": "hl", "in": answers}
    scale_noted = [f.reason for f in imported.findings] == [Reason.SCALE]
    assert scale_noted == (kind != "single")


def test_numbers_and_texts_with_their_bounds(app):
    data = workbook(
        [
            ("type", "name", "label", "constraint"),
            ("integer", "so_buoi", "Mấy buổi?", ". >= 0 and . <= 24"),
            ("integer", "tuoi", "Tuổi?", ". > 17 and . < 100"),
            ("decimal", "dien_tich", "Diện tích?", ""),
            ("text", "y_kien", "Ý kiến?", "string-length(.) <= 500"),
        ]
    )
    assert [{k: v for k, v in q.items() if k != "text"} for q in questions(data)] == [
        {"code": "so_buoi", "kind": "number", "min_value": 0, "max_value": 24},
        {"code": "tuoi", "kind": "number", "min_value": 18, "max_value": 99},
        {"code": "dien_tich", "kind": "number"},
        {"code": "y_kien", "kind": "text", "max_length": 500},
    ]


def test_relevant_the_platform_holds(app):
    data = workbook(
        [
            ("type", "name", "label", "relevant"),
            ("select_one kenh", "kenh", "Kênh?", ""),
            ("select_multiple kenh", "nhieu", "Kênh nào?", ""),
            ("text", "a", "A?", "${kenh} = 'loa'"),
            ("text", "b", "B?", "selected(${nhieu}, 'loa') or selected(${nhieu}, 'hop')"),
            ("text", "c", "C?", "(${kenh} = \"loa\") or (${kenh} = 'hop')"),
        ],
        [("list_name", "name", "label"), ("kenh", "loa", "Loa"), ("kenh", "hop", "Họp")],
    )
    shown = [q.get("show_if") for q in questions(data)]
    assert shown == [
        None,
        None,
        {"question": "kenh", "in": ["loa"]},
        {"question": "nhieu", "in": ["loa", "hop"]},
        {"question": "kenh", "in": ["loa", "hop"]},
    ]


def test_notes_and_group_labels_become_help_of_the_next_question(app):
    data = workbook(
        [
            ("type", "name", "label", "hint", "relevant"),
            ("begin_group", "phan1", "Phần 1: Cán bộ", "", ""),
            ("note", "loi_dan", "Xin trả lời thật lòng", "", ""),
            ("text", "y_kien", "Ý kiến?", "Viết ngắn", ""),
            ("end_group", "", "", "", ""),
            ("select_one yn", "co", "Có họp?", "", ""),
            ("begin_group", "phan2", "", "", "${co} = 'yes'"),
            ("text", "vi_sao", "Vì sao?", "", ""),
            ("end_group", "", "", "", ""),
        ],
        YES_NO,
    )
    imported = read_xlsform(data)
    first, _co, why = imported.definition["questions"]
    assert first["help"] == {"vi": "Phần 1: Cán bộ — Xin trả lời thật lòng — Viết ngắn"}
    assert why["show_if"] == {"question": "co", "in": [1]}  # the group's relevant
    reported = [(f.row, f.reason) for f in imported.findings if f.level == Level.CHANGED]
    assert (2, Reason.HEADING) in reported
    assert (3, Reason.NOTE_AS_HELP) in reported


def test_platform_columns_keep_what_xlsform_has_no_column_for(app, db):
    data = workbook(
        [
            (
                "type",
                "name",
                "label",
                "platform_criterion",
                "platform_organization",
                "platform_feedback",
            ),
            ("text", "gop_y", "Góp ý?", "satisfaction", "hoi-nd", "yes"),
        ],
        settings=[
            (
                "form_title",
                "platform_title::English (en)",
                "platform_description::Vietnamese (vi)",
                "platform_audience",
                "platform_topic",
                "platform_year",
                "platform_organizations",
            ),
            ("Khảo sát", "Survey", "Lời mở đầu", "member", "supervision", "2027", "hoi-nd hoi-pn"),
        ],
    )
    definition = read_xlsform(data).definition
    assert definition["questions"][0] == {
        "code": "gop_y",
        "kind": "text",
        "text": {"vi": "Góp ý?"},
        "criterion": "satisfaction",
        "organization": "hoi-nd",
        "feedback": True,
    }
    assert {k: definition[k] for k in ("title", "description", "audience", "topic", "year")} == {
        "title": {"vi": "Khảo sát", "en": "Survey"},
        "description": {"vi": "Lời mở đầu"},
        "audience": "member",
        "topic": "supervision",
        "year": 2027,
    }
    assert definition["organizations"] == ["hoi-nd", "hoi-pn"]
    given = read_xlsform(data, year=2026, audience="public", topic="other", code="x").definition
    assert (given["year"], given["audience"], given["topic"], given["code"]) == (
        2026,
        "public",
        "other",
        "x",
    )


def test_audio_references_are_collected_and_pictures_refused(app):
    data = workbook(
        [
            (
                "type",
                "name",
                "label",
                "media::audio::Vietnamese (vi)",
                "media::audio::Bahnar (bdq)",
                "media::image",
            ),
            ("select_one yn", "co", "Có?", "co.mp3", "co-bdq.ogg", "co.png"),
        ],
        YES_NO[:1] + [("yn", "yes", "Có"), ("yn", "no", "Không")],
    )
    data_with_option_audio = workbook(
        [("type", "name", "label"), ("select_one kenh", "kenh", "Kênh?")],
        [
            ("list_name", "name", "label", "media::audio"),
            ("kenh", "loa", "Loa", "loa.mp3"),
            ("kenh", "hop", "Họp", ""),
        ],
    )
    imported = read_xlsform(data)
    assert sorted(
        (m["media"], m["file"], m["language"], m["question"]) for m in imported.media
    ) == [
        ("audio", "co-bdq.ogg", "bdq", "co"),
        ("audio", "co.mp3", "vi", "co"),
    ]
    # The form shows no pictures: the reference is refused, on its row.
    refused = [english(f) for f in imported.findings if f.level == Level.REFUSED]
    assert (
        "survey sheet, row 2: media::image of 'co' is not supported; the reference was left out"
        in refused
    )
    lines = [english(f) for f in imported.findings if f.level == Level.MEDIA]
    assert (
        "survey sheet, row 2: audio file named 'co.mp3' (question 'co', vi): attach it on the "
        "survey's audio page" in lines
    )
    option = read_xlsform(data_with_option_audio)
    assert option.media == [
        {"media": "audio", "file": "loa.mp3", "language": "vi", "question": "kenh", "option": "loa"}
    ]
    assert english(option.findings[-1]).startswith(
        "choices sheet, row 2: audio file named 'loa.mp3'"
    )


def test_names_that_are_not_codes_become_codes(app):
    data = workbook([("type", "name", "label"), ("text", "Y_Kien.Chung", "Ý kiến?")])
    imported = read_xlsform(data)
    assert imported.definition["questions"][0]["code"] == "y_kien_chung"
    assert (
        english(imported.findings[0])
        == "survey sheet, row 2: name 'Y_Kien.Chung' became code 'y_kien_chung'"
    )


# What the platform cannot hold: each reported on its row, the rest imported.
REFUSALS = [
    (("calculate", "tong", "", "", "1 + 1"), "type 'calculate' has no counterpart here"),
    (("geopoint", "vi_tri", "Vị trí?", "", ""), "type 'geopoint' has no counterpart here"),
    (("text", "a", "A?", "${ask} = 'yes' and ${ask} != 'no'", ""), "'and' between conditions"),
    (("text", "a", "A?", "${ask} != 'yes'", ""), "only '=' and selected() compare"),
    (("text", "a", "A?", "count-selected(${ask}) = 1", ""), "function count-selected() is not"),
    (("text", "a", "A?", "${ask} = 'maybe'", ""), "'maybe' is not an answer of 'ask'"),
    (("text", "a", "A?", "${a} = 'x'", ""), "'a' is not an earlier question"),
    (("integer", "a", "A?", "", ""), None),
    (("select_one yn or_other", "a", "A?", "", ""), "or_other is not supported"),
    (("note", "cuoi", "Cảm ơn", "", ""), "note 'cuoi' has no question after it"),
    (("select_one_from_file thon.csv", "a", "A?", "", ""), "has no choices on the choices sheet"),
    (("text", "a", "", "", ""), "'a' has no label in Vietnamese"),
    (("text", "a", "A?", "", "", "${ask} = 'yes'"), "required \"${ask} = 'yes'\" of 'a' was not"),
    (("text", "a", "A?", "", "", "no"), None),
    (("select_one yn", "a", "A?", "", "", "", "yes = 'yes'"), "choice_filter \"yes = 'yes'\""),
]


@pytest.mark.parametrize(("row", "reason"), REFUSALS)
def test_what_cannot_be_held_is_reported_by_row(app, row, reason):
    header = ("type", "name", "label", "relevant", "calculation", "required", "choice_filter")
    imported = read_xlsform(one_question(row, header, settings=[("form_title",), ("Thử",)]))
    refused = [english(f) for f in imported.refused()]
    if reason is None:
        assert refused == []
        return
    assert len(refused) == 1, refused
    assert refused[0].startswith("survey sheet, row 3: ")
    assert reason in refused[0]
    assert imported.definition["questions"][0]["code"] == "ask"  # the rest is imported


def test_a_label_that_quotes_an_answer_is_shown_as_written(app):
    imported = read_xlsform(one_question(("text", "a", "Vì sao ${ask}?")))
    assert imported.definition["questions"][1]["text"] == {"vi": "Vì sao ${ask}?"}
    assert [english(f) for f in imported.findings][-1] == (
        "survey sheet, row 3: the label of 'a' quotes an answer (${...}); it is shown as written"
    )


def test_a_default_language_not_offered_leaves_the_plain_columns_out(app):
    data = workbook(
        [("type", "name", "label", "label::Vietnamese (vi)"), ("text", "a", "Quoi ?", "Gì?")],
        settings=[("default_language",), ("French (fr)",)],
    )
    imported = read_xlsform(data)
    assert imported.definition["questions"][0]["text"] == {"vi": "Gì?"}
    assert [english(f) for f in imported.refused()] == [
        "settings sheet: language 'French (fr)' is not one this platform knows; its texts were "
        "left out"
    ]


def test_a_condition_refused_keeps_its_question(app):
    imported = read_xlsform(
        one_question(("text", "a", "A?", "${ask} != 'yes'"), ("type", "name", "label", "relevant"))
    )
    assert [q["code"] for q in imported.definition["questions"]] == ["ask", "a"]
    assert "show_if" not in imported.definition["questions"][1]


def test_constraints_beyond_bounds_are_reported(app):
    header = ("type", "name", "label", "constraint")
    imported = read_xlsform(one_question(("integer", "a", "A?", ". != 3"), header))
    assert english(imported.refused()[0]) == (
        "survey sheet, row 3: constraint '. != 3' of 'a' was not kept (only `. >= N and . <= N` "
        "on a number or `string-length(.) <= N` on a text)"
    )


def test_repeats_report_every_question_inside(app):
    data = workbook(
        [
            ("type", "name", "label"),
            ("text", "ten", "Tên?"),
            ("begin_repeat", "nguoi", "Từng người"),
            ("text", "ho_ten", "Họ tên?"),
            ("integer", "tuoi", "Tuổi?"),
            ("end_repeat", "", ""),
        ]
    )
    imported = read_xlsform(data)
    assert [english(f) for f in imported.refused()] == [
        "survey sheet, row 3: repeat 'nguoi' is not supported; its questions were not imported",
        "survey sheet, row 4: 'ho_ten' is inside a repeat; it was not imported",
        "survey sheet, row 5: 'tuoi' is inside a repeat; it was not imported",
    ]


def test_a_language_not_offered_is_reported(make_app):
    app = make_app(SURVEY_LANGUAGES=["vi", "en"])
    data = workbook(
        [
            ("type", "name", "label", "label::Bahnar (bdq)", "label::Thai (th)"),
            ("text", "a", "A?", "A bdq", "A th"),
        ]
    )
    with app.app_context():
        imported = read_xlsform(data)
    assert imported.definition["questions"][0]["text"] == {"vi": "A?"}
    assert sorted(english(f) for f in imported.refused()) == [
        "survey sheet: language 'Bahnar (bdq)' is not offered here; its texts were left out",
        "survey sheet: language 'Thai (th)' is not one this platform knows; its texts were left "
        "out",
    ]


def test_strict_refuses_the_whole_file(app):
    data = one_question(
        ("calculate", "tong", "", "1 + 1"), ("type", "name", "label", "calculation")
    )
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(data, strict=True)
    assert refused.value.refusal == Refusal.STRICT
    assert refused.value.english() == (
        "refused whole (--strict): survey sheet, row 3: type 'calculate' has no counterpart "
        "here; the question was not imported"
    )


def test_a_workbook_that_unpacks_to_too_much_is_refused(app):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (100 * 2**20 + 1))
    assert len(data.getvalue()) < 1_000_000
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(data.getvalue())
    assert refused.value.refusal == Refusal.TOO_BIG


@pytest.mark.parametrize(
    ("data", "refusal", "words"),
    [
        (b"<html><body>not a workbook</body></html>", Refusal.NOT_XLSX, "not an .xlsx workbook"),
        (b"PK\x03\x04" + b"\x00" * 100, Refusal.NOT_XLSX, "not an .xlsx workbook"),
        (b"x" * (5 * 2**20 + 1), Refusal.TOO_BIG, "larger than 5 MB"),
        (
            workbook([("type", "name", "label"), ("select_one nowhere", "a", "A?")]),
            Refusal.INVALID,
            "not a valid XLSForm: There should be a choices sheet in this xlsform.",
        ),
        (
            workbook([("type", "name", "label"), ("text", "a b", "A?")]),
            Refusal.INVALID,
            "not a valid XLSForm: [row : 2]",
        ),
        (
            workbook([("type", "name", "label"), ("calculate", "tong", "")]),
            Refusal.INVALID,
            "not a valid XLSForm: [row : 2] Missing calculation.",
        ),
        (
            workbook([("type", "name", "label"), ("note", "n", "Chỉ có ghi chú")]),
            Refusal.DEFINITION,
            "the survey cannot be made: questions: expected a non-empty list",
        ),
    ],
)
def test_a_malformed_workbook_gets_one_line(app, data, refusal, words):
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(data)
    assert refused.value.refusal == refusal
    assert words in refused.value.english()
    assert "\n" not in refused.value.english()


def without_bahnar(value):
    """`value` (a definition) with no Bahnar text, and Bahnar not among its languages."""
    if isinstance(value, dict):
        return {k: without_bahnar(v) for k, v in value.items() if k != "bdq"}
    if isinstance(value, list):
        return [without_bahnar(v) for v in value if v != "bdq"]
    return value


# A KoboToolbox-style commune satisfaction questionnaire (tests/surveys/xlsforms/build_ha_tam.py
# writes it; docs/examples/ holds the same file).
XLSFORMS = Path(__file__).parent / "xlsforms"


def test_a_real_world_questionnaire_comes_in_as_expected(app, db):
    data = (XLSFORMS / "ha_tam_hai_long_2026.xlsx").read_bytes()
    expected = json.loads((XLSFORMS / "ha_tam_hai_long_2026.expected.json").read_text("utf-8"))
    # The example in docs/ is the same questionnaire without the Bahnar placeholders.
    example = (XLSFORMS.parents[2] / "docs/examples/ha_tam_hai_long_2026.xlsx").read_bytes()
    assert read_xlsform(example, year=2026, topic="satisfaction").definition == without_bahnar(
        expected["definition"]
    )
    imported = read_xlsform(data, year=2026, topic="satisfaction")
    assert imported.definition == expected["definition"]
    assert [english(f) for f in imported.findings] == expected["report"]
    assert imported.media == expected["media"]
    survey = survey_from_definition(imported.definition)
    db.session.commit()
    assert len(survey.questions) == 13
    with pytest.raises(XLSFormError) as strict:
        read_xlsform(data, strict=True)
    assert "row 25: type 'calculate'" in strict.value.english()
