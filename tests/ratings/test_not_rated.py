"""A year with nothing to rate is not a failure: without annual figures an organization is
"Chưa đủ căn cứ để xếp loại" on every page and in every file, and the overview opens on the
latest year with evidence."""

import pytest

from survey.ratings.finalization import warnings_before
from tests.factories import make_defined_survey, make_surveyed_commune, make_user, submit_and_commit


@pytest.fixture
def commune(db):
    world = make_surveyed_commune(db)  # 2025: figures and 70 responses
    make_user(db, username="thuongtruc", role="committee")
    db.session.commit()
    return world


def test_a_new_year_with_a_survey_but_no_figures_fails_no_one(client, db, login, commune):
    survey = make_defined_survey(db, org=commune["nongdan"], code="hailong-2026", year=2026)
    for n in range(3):
        submit_and_commit(survey, {"hl": 4, "kenh": "loa", "co_du": 1}, submission_uid=f"m{n}")
    login("thuongtruc", "a-long-password")
    document = client.get("/api/v1/evaluations/2026").get_json()
    assert {o["tier"] for o in document["organizations"]} == {"chua_du_can_cu"}
    page = client.get("/dashboard/?year=2026").get_data(as_text=True)
    assert "Không hoàn thành nhiệm vụ" not in page and "Chưa đủ căn cứ để xếp loại" in page
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("chưa nhập số liệu hằng năm") == 2  # what is missing, on each row
    ratings = client.get("/manage/ratings/2026").get_data(as_text=True)
    assert "Không hoàn thành nhiệm vụ" not in ratings
    assert "chưa nhập số liệu hằng năm" in ratings
    report = client.get("/dashboard/report/2026.html").get_data(as_text=True)
    assert "Chưa đủ căn cứ để xếp loại" in report
    assert "Xếp loại: Không hoàn thành nhiệm vụ" not in report


def test_the_overview_opens_on_the_latest_year_with_evidence(
    client, db, login, commune, monkeypatch
):
    import survey.reports.views as views

    monkeypatch.setattr(views, "current_year", lambda: 2026)
    make_defined_survey(db, org=commune["nongdan"], code="hailong-2026", year=2026)  # no answer
    login("thuongtruc", "a-long-password")
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "năm 2025" in page.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert 'href="/dashboard/?year=2026"' in page  # the new year is there to open


def test_the_warnings_before_finalizing_name_each_open_question():
    def org(name, **fields):
        return {"name": name, "criteria": [], "rated": True, "finalized": False} | fields

    sensitive = {"label": "Mức độ hài lòng", "sensitive": True}
    document = {
        "organizations": [
            org("Hội Nông dân", borderline=True),
            org("Hội Phụ nữ", criteria=[sensitive]),
            org("Đoàn Thanh niên", rated=False),
            org("Hội Cựu chiến binh", finalized=True, changed_since_finalization=True),
            org("Mặt trận", capped=True, heads=[{"decided": False}, {"decided": True}]),
        ]
    }
    found = warnings_before(document, updating=True)
    assert found == {
        "updating": [True],
        "to_review": [("Hội Phụ nữ", ["Mức độ hài lòng"])],
        "borderline": ["Hội Nông dân"],
        "not_rated": ["Đoàn Thanh niên"],
        "finalized": ["Hội Cựu chiến binh"],
        "changed": ["Hội Cựu chiến binh"],
        "capped": ["Mặt trận"],
        "no_evidence": [],
        "no_self_assessment": ["Hội Nông dân", "Hội Phụ nữ", "Mặt trận"],
        "undecided": ["Hội Nông dân", "Hội Phụ nữ", "Mặt trận"],
        "adjusted": [],
        "outdated": [],
        "pending": [],
        "heads_undecided": ["Mặt trận"],
    }
    decided = org(
        "Hội Nông dân",
        decided=True,
        self_assessment={"strengths": "Tốt"},
        heads=[{"decided": True}],
    )
    quiet = warnings_before({"organizations": [decided]}, updating=False)
    assert not any(quiet.values())


def test_the_confirmation_page_lists_the_open_warnings(client, db, login, commune):
    from survey.ratings.finalization import finalize_year

    finalize_year(2025, None)
    db.session.commit()
    login("thuongtruc", "a-long-password")
    page = client.get("/manage/ratings/2025/finalize").get_data(as_text=True)
    assert "Đã chốt: Hội Nông dân xã, Hội Liên hiệp Phụ nữ xã" in page
    assert "Chốt lại sẽ thay kết quả cũ và phải ghi lý do" in page
