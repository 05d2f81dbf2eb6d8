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
