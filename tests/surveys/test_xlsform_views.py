"""The builder's XLSForm pages: upload (a report, or nothing kept and why) and download."""

import io

import pytest
import sqlalchemy as sa
from pyxform.xls2xform import convert

from survey.models import AuditLog, Organization, Survey
from survey.surveys.definitions import dump_definition
from survey.surveys.xlsform_import import read_xlsform
from tests.factories import make_defined_survey, make_organization, make_user
from tests.surveys.xlsform_books import one_question, workbook
from tests.test_route_access import sign_in_quickly

SETTINGS = [("form_title", "form_id"), ("Khảo sát từ Kobo", "tu_kobo")]


@pytest.fixture
def officer(app, db):
    org = make_organization(db, code="nongdan", name="Hội Nông dân xã")
    make_user(db, username="nongdan", role="org_officer", organization=org)
    db.session.commit()
    client = app.test_client()
    sign_in_quickly(client, db, "nongdan")
    return client


def post(client, data, **fields):
    form = {"file": (io.BytesIO(data), "bang-hoi.xlsx"), "year": "", "audience": "", "topic": ""}
    return client.post(
        "/manage/surveys/import-xlsform",
        data=form | fields,
        content_type="multipart/form-data",
    )


def codes(db):
    return db.session.scalars(sa.select(Survey.code)).all()


def test_the_page_is_linked_from_the_list_and_the_new_survey_page(officer):
    for page in ("/manage/surveys/", "/manage/surveys/new"):
        assert 'href="/manage/surveys/import-xlsform"' in officer.get(page).get_data(as_text=True)
    page = officer.get("/manage/surveys/import-xlsform").get_data(as_text=True)
    assert "Bắt đầu từ tệp XLSForm" in page
    assert 'enctype="multipart/form-data"' in page


def test_an_upload_makes_a_draft_and_shows_the_report(officer, db):
    header = ("type", "name", "label", "media::audio", "calculation")
    data = one_question(("calculate", "tong", "", "", "1 + 1"), header, settings=SETTINGS)
    response = post(officer, data, year="2026", topic="satisfaction")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Đã nhập khảo sát thành bản nháp" in page
    assert "Trang survey, dòng 3: loại “calculate” không có ở đây; câu hỏi không được nhập" in page
    assert "Không được nhập (1)" in page
    survey = db.session.scalar(sa.select(Survey))
    assert (survey.code, survey.status, survey.year, survey.topic) == (
        "tu-kobo",
        "draft",
        2026,
        "satisfaction",
    )
    assert [o.code for o in survey.organizations] == ["nongdan"]
    assert survey.created_by_id is not None
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "survey.create"))
    assert entry.details["start"] == "xlsform"


def test_media_references_are_listed_to_attach(officer):
    data = workbook(
        [
            ("type", "name", "label", "media::audio::Bahnar (bdq)"),
            ("text", "y_kien", "Ý kiến?", "yk.mp3"),
        ],
        settings=SETTINGS,
    )
    page = post(officer, data).get_data(as_text=True)
    assert "Bản ghi âm cần gắn (1)" in page and '/audio"' in page
    assert (
        "Trang survey, dòng 2: Âm thanh, tệp “yk.mp3” (câu “y_kien”, Tiếng Ba Na): hãy gắn tệp "
        "này ở trang âm thanh của khảo sát" in page
    )


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<html>not a workbook</html>", "Đây không phải tệp Excel (.xlsx)"),
        (
            workbook([("type", "name", "label"), ("select_one x", "a", "A?")]),
            "Tệp không phải XLSForm hợp lệ",
        ),
        (b"", "Hãy chọn tệp XLSForm (.xlsx)."),
    ],
)
def test_a_refused_file_keeps_nothing_and_says_why(officer, db, data, words):
    response = post(officer, data) if data else post(officer, data, file=(io.BytesIO(b""), ""))
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert codes(db) == []


def test_strict_keeps_nothing_and_lists_the_rows(officer, db):
    header = ("type", "name", "label", "calculation")
    data = one_question(("calculate", "tong", "", "1 + 1"), header, settings=SETTINGS)
    response = post(officer, data, strict="y")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Chưa nhập gì: có dòng không nhập được" in page
    assert "Trang survey, dòng 3: loại “calculate”" in page
    assert codes(db) == []


def test_a_code_taken_keeps_nothing(officer, db):
    make_defined_survey(db, code="tu-kobo")
    response = post(officer, one_question(("text", "a", "A?"), settings=SETTINGS))
    assert response.status_code == 422
    assert "Mã này đã dùng cho một khảo sát khác" in response.get_data(as_text=True)
    assert codes(db) == ["tu-kobo"]


def test_a_file_over_the_limit_is_refused(officer, db, monkeypatch):
    from survey.surveys import xlsform_import, xlsform_views

    # A small limit (a large body is spooled to a file the test client keeps open).
    monkeypatch.setattr(xlsform_views, "MAX_XLSFORM_BYTES", 1000)
    monkeypatch.setattr(xlsform_import, "MAX_XLSFORM_BYTES", 1000)
    response = post(officer, b"PK" + b"\x00" * 2000)  # over the limit, inside the body's slack
    assert response.status_code == 422
    assert "Tệp lớn hơn" in response.get_data(as_text=True)
    assert codes(db) == []


def test_a_body_over_the_limit_is_refused_before_it_is_read(officer, db, monkeypatch):
    from survey.core import forms
    from survey.surveys import xlsform_views

    # Small limits: a body over them is refused as it arrives, before any file is spooled.
    monkeypatch.setattr(xlsform_views, "MAX_XLSFORM_BYTES", 1000)
    monkeypatch.setattr(forms, "FORM_SLACK", 1000)
    response = post(officer, b"PK" + b"\x00" * 10_000)
    assert response.status_code == 413
    assert "Tệp lớn hơn 5 MB." in response.get_data(as_text=True)
    assert codes(db) == []


def test_the_download_is_an_xlsform_that_comes_back_the_same(officer, db):
    org = db.session.scalar(sa.select(Organization))
    survey = make_defined_survey(db, code="ks-tai", org=org, status="draft")
    page = officer.get("/manage/surveys/ks-tai").get_data(as_text=True)
    assert 'href="/manage/surveys/ks-tai/xlsform"' in page
    response = officer.get("/manage/surveys/ks-tai/xlsform")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=ks-tai.xlsx"
    data = response.get_data()
    assert "<h:title>" in convert(data, file_type=".xlsx").xform
    again = read_xlsform(data).definition
    assert {**again, "status": "draft"} == dump_definition(survey)
