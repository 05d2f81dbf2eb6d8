"""Downloads: the year's report and workbook for the readers of every result; a survey's
anonymized responses for whoever may read the survey; the right content types and names."""

import csv
import io

import docx
import openpyxl
import pytest

from tests.factories import HIDDEN_VILLAGES, make_surveyed_commune, make_user
from tests.test_route_access import sign_in_quickly

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT = {
    "docx": (DOCX, "attachment; filename=bao-cao-danh-gia-2025.docx"),
    "xlsx": (XLSX, "attachment; filename=bang-tinh-danh-gia-2025.xlsx"),
    "html": ("text/html; charset=utf-8", "inline; filename=bao-cao-danh-gia-2025.html"),
}
EXPORT = "/dashboard/survey/hailong-nongdan-2025/export"


@pytest.fixture
def world(db):
    commune = make_surveyed_commune(db)
    for role in ("admin", "committee", "inspector"):
        make_user(db, username=role, role=role)
    make_user(db, username="officer", role="org_officer", organization=commune["nongdan"])
    make_user(db, username="other_officer", role="org_officer", organization=commune["phunu"])
    make_user(db, username="village", role="unit_officer", unit=commune["units"]["thon1"])
    db.session.commit()
    return commune


def client_of(app, db, username):
    client = app.test_client()
    if username is not None:
        sign_in_quickly(client, db, username)
    return client


@pytest.mark.parametrize("role", ["admin", "committee", "inspector"])
def test_the_readers_of_every_result_download_the_report_in_each_format(app, db, world, role):
    client = client_of(app, db, role)
    for fmt, (content_type, disposition) in REPORT.items():
        response = client.get(f"/dashboard/report/2025.{fmt}")
        assert response.status_code == 200, fmt
        assert response.headers["Content-Type"] == content_type
        assert response.headers["Content-Disposition"] == disposition
        assert response.headers["Cache-Control"] == "private, no-store"
    assert "BÁO CÁO" in client.get("/dashboard/report/2025.html").get_data(as_text=True)


def test_the_downloads_hold_the_numbers_of_the_evaluations_api(app, db, world):
    client = client_of(app, db, "committee")
    api = client.get("/api/v1/evaluations/2025").get_json()
    book = openpyxl.load_workbook(io.BytesIO(client.get("/dashboard/report/2025.xlsx").data))
    summary = {row[1]: row for row in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    criteria = {
        (row[0], row[1]): row for row in book["Tiêu chí"].iter_rows(min_row=2, values_only=True)
    }
    report = docx.Document(io.BytesIO(client.get("/dashboard/report/2025.docx").data))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in report.tables]
    in_word = {row[1]: row for row in next(t for t in tables if t[0][0] == "STT")[1:]}
    for org in api["organizations"]:
        assert summary[org["name"]][2:4] == (org["score"], org["tier_label"])
        score = float(in_word[org["name"]][2].replace(",", "."))
        assert score == pytest.approx(org["score"], abs=0.05)
        assert in_word[org["name"]][3] == org["tier_label"]
        for c in org["criteria"]:
            row = criteria[(org["name"], c["label"])]
            assert (row[2], row[5], row[9]) == (c["value"], c["n"], c["points"])


@pytest.mark.parametrize(("who", "expected"), [("officer", 403), ("village", 403), (None, 302)])
def test_others_may_not_download_the_report(app, db, world, who, expected):
    client = client_of(app, db, who)
    for fmt in REPORT:
        response = client.get(f"/dashboard/report/2025.{fmt}")
        assert response.status_code == expected
        if who is None:
            assert "/login" in response.headers["Location"]


def test_a_year_without_figures_leads_back_to_the_years_with_a_message(app, db, world):
    client = client_of(app, db, "committee")
    response = client.get("/dashboard/report/2019.docx")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/manage/ratings/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Năm 2019 chưa có gì để báo cáo" in page
    assert client.get("/dashboard/report/2025.pdf").status_code == 404


def test_whoever_may_read_the_survey_downloads_its_responses(app, db, world):
    officer = client_of(app, db, "officer")
    response = officer.get(f"{EXPORT}.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="hailong-nongdan-2025-phieu-tra-loi.csv"'
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 70
    assert not {row["unit"] for row in rows} & set(HIDDEN_VILLAGES)

    committee = client_of(app, db, "committee")
    workbook = committee.get(f"{EXPORT}.xlsx")
    assert workbook.status_code == 200
    assert workbook.headers["Content-Type"] == XLSX
    assert workbook.headers["Content-Disposition"] == (
        "attachment; filename=hailong-nongdan-2025-phieu-tra-loi.xlsx"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.data))["Phiếu trả lời"]
    assert sheet.max_row == 71


@pytest.mark.parametrize(
    ("who", "expected"), [("other_officer", 403), ("village", 403), (None, 302)]
)
def test_others_may_not_download_a_surveys_responses(app, db, world, who, expected):
    client = client_of(app, db, who)
    for fmt in ("csv", "xlsx"):
        assert client.get(f"{EXPORT}.{fmt}").status_code == expected


def test_an_unknown_survey_or_format_is_not_found(app, db, world):
    client = client_of(app, db, "admin")
    assert client.get("/dashboard/survey/khong-co/export.csv").status_code == 404
    assert client.get(f"{EXPORT}.json").status_code == 404


def test_the_dashboards_link_to_the_downloads(app, db, world):
    overview = client_of(app, db, "committee").get("/dashboard/?year=2025")
    page = overview.get_data(as_text=True)
    for fmt in REPORT:
        assert f'href="/dashboard/report/2025.{fmt}"' in page
    survey = client_of(app, db, "officer").get("/dashboard/survey/hailong-nongdan-2025")
    page = survey.get_data(as_text=True)
    assert f'href="{EXPORT}.csv"' in page and f'href="{EXPORT}.xlsx"' in page
