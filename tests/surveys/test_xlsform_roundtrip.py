"""XLSForm export and import: definition -> XLSForm -> pyxform -> import -> the same definition."""

import pytest
from pyxform.xls2xform import convert

from survey.surveys.definitions import (
    QUESTION_SETS,
    dump_definition,
    instantiate,
    load_question_set,
    survey_from_definition,
)
from survey.surveys.xlsform_export import xlsform_bytes
from survey.surveys.xlsform_import import read_xlsform
from tests.factories import make_defined_survey, make_organization


def without_code(definition):
    return {k: v for k, v in definition.items() if k not in ("code", "status")}


def round_trip(db, definition):
    """Load `definition`, export it, convert the file with pyxform, import it back: the two
    dumped definitions."""
    survey = survey_from_definition(definition)
    db.session.flush()
    before = dump_definition(survey)
    data = xlsform_bytes(before)
    assert convert(data, file_type=".xlsx").xform.startswith("<?xml")  # pyxform reads it
    imported = read_xlsform(data, code=f"{before['code']}-again")
    assert not imported.refused(), imported.findings
    after = dump_definition(survey_from_definition(imported.definition))
    return before, after


@pytest.mark.parametrize("name", QUESTION_SETS)
@pytest.mark.parametrize("languages", [("vi", "en"), ("vi", "en", "bdq", "jra")])
def test_each_question_set_comes_back_the_same(app, db, name, languages):
    org = make_organization(db, code="hoi-nong-dan", name="Hội Nông dân")
    definition = instantiate(
        load_question_set(name),
        code=f"ks-{name}",
        year=2026,
        organizations=[org.code],
        org_names={lang: f"Hội Nông dân ({lang})" for lang in languages},
        languages=languages,
    )
    before, after = round_trip(db, definition)
    assert without_code(after) == without_code(before)
    assert after["code"] == f"ks-{name}-again"


def test_every_kind_comes_back_the_same(app, db):
    survey = make_defined_survey(db, status="draft")
    definition = dump_definition(survey)
    definition["code"] = "ks-every-kind"
    definition["questions"][0]["help"] = {"vi": "Chọn một mặt", "en": "Pick a face"}
    before, after = round_trip(db, definition)
    assert without_code(after) == without_code(before)


def test_codes_that_begin_with_a_digit_come_back(app, db):
    make_organization(db, code="hoi")
    definition = {
        "code": "ks-so",
        "audience": "member",
        "topic": "participation",
        "year": 2025,
        "title": {"vi": "Khảo sát"},
        "description": {"vi": "Mở đầu"},
        "languages": ["vi"],
        "organizations": ["hoi"],
        "questions": [
            {
                "code": "2_kenh",
                "kind": "single",
                "text": {"vi": "2. Kênh?"},
                "options": [
                    {"code": "1_2", "label": {"vi": "1-2"}},
                    {"code": "b", "label": {"vi": "B"}},
                ],
            },
            {
                "code": "3_vi_sao",
                "kind": "text",
                "text": {"vi": "3. Vì sao?"},
                "show_if": {"question": "2_kenh", "in": ["1_2"]},
            },
        ],
    }
    survey = survey_from_definition(definition)
    db.session.flush()
    before = dump_definition(survey)
    data = xlsform_bytes(before)
    convert(data, file_type=".xlsx")
    imported = read_xlsform(data, code="ks-so-2")
    assert not imported.refused()
    after = dump_definition(survey_from_definition(imported.definition))
    assert without_code(after) == without_code(before)
