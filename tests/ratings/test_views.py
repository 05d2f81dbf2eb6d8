"""The ratings page: readers see the explained ratings, the committee finalizes the year."""

import sqlalchemy as sa

from survey.models import Evaluation
from tests.factories import make_indicator, make_organization, make_user

CONFIRMED = {"confirm": "y"}


def _commune(db, figures=True):
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", position=1)
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ xã", position=2)
    if figures:
        make_indicator(db, nongdan, activities_held=3)  # 3 of 12 meetings: not completed
        make_indicator(db, phunu, activities_held=3)
    make_user(db, username="thuongtruc", role="committee")
    make_user(db, username="ubkt", role="inspector")
    make_user(db, username="canbo", role="org_officer", organization=nongdan)
    db.session.commit()


def test_the_committee_reads_and_finalizes_with_a_reason_the_second_time(client, db, login):
    _commune(db)
    login("thuongtruc", "a-long-password")
    html = client.get("/manage/ratings/2025").get_data(as_text=True)
    assert "Hội Phụ nữ xã" in html and "Hoàn thành nhiệm vụ" in html
    assert "Xem lại và chốt kết quả xếp loại năm 2025" in html
    assert 'action="/manage/ratings/2025/finalize"' not in html  # no one-click finalizing
    page = client.get("/manage/ratings/2025/finalize").get_data(as_text=True)
    assert "Những gì sẽ được chốt" in page and page.count("sẽ được chốt") >= 2
    response = client.post("/manage/ratings/2025/finalize", data={"reason": ""} | CONFIRMED)
    assert response.status_code == 302
    assert "Đã chốt kết quả của 2 tổ chức." in client.get("/manage/ratings/").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 2
    again = client.post("/manage/ratings/2025/finalize", data={"reason": ""} | CONFIRMED)
    assert again.status_code == 422
    assert "Năm này đã được chốt. Muốn chốt lại, xin ghi rõ lý do." in again.get_data(as_text=True)
    html = client.get("/manage/ratings/2025").get_data(as_text=True)
    assert "đã chốt" in html
    same = client.post("/manage/ratings/2025/finalize", data={"reason": "Chốt lại"} | CONFIRMED)
    assert same.status_code == 422
    assert "Không có gì thay đổi kể từ khi chốt" in same.get_data(as_text=True)


def test_finalizing_without_the_confirmation_changes_nothing(client, db, login):
    _commune(db)
    login("thuongtruc", "a-long-password")
    refused = client.post("/manage/ratings/2025/finalize", data={"reason": "Chốt sớm"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Xin đánh dấu ô xác nhận" in page
    assert "Chốt sớm" in page  # what was typed stays
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 0


def test_a_year_without_figures_is_not_a_failure_and_is_not_finalized(client, db, login):
    _commune(db, figures=False)
    login("thuongtruc", "a-long-password")
    html = client.get("/manage/ratings/2025").get_data(as_text=True)
    assert "Không hoàn thành nhiệm vụ" not in html.split("<main", 1)[1]
    assert html.count("Chưa đủ căn cứ để xếp loại") >= 2
    assert "chưa nhập số liệu hằng năm" in html and "chưa có số liệu" in html
    document = client.get("/api/v1/evaluations/2025").get_json()
    assert {(o["tier"], o["score"], o["rated"]) for o in document["organizations"]} == {
        ("chua_du_can_cu", None, False)
    }
    page = client.get("/manage/ratings/2025/finalize").get_data(as_text=True)
    assert "Chưa đủ căn cứ để xếp loại nên không chốt: Hội Nông dân xã, Hội Phụ nữ xã" in page
    refused = client.post("/manage/ratings/2025/finalize", data=CONFIRMED)
    assert refused.status_code == 422 and "chưa có gì để chốt" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 0


def test_an_officer_sees_its_own_organization_only_and_cannot_finalize(client, db, login):
    _commune(db)
    login("canbo", "a-long-password")
    html = client.get("/manage/ratings/2025").get_data(as_text=True)
    assert "Hội Nông dân xã" in html and "Hội Phụ nữ xã" not in html
    assert "Chốt kết quả" not in html
    assert client.post("/manage/ratings/2025/finalize", data={}).status_code == 403


def test_the_inspector_reads_but_cannot_finalize(client, db, login):
    _commune(db)
    login("ubkt", "a-long-password")
    assert client.get("/manage/ratings/2025").status_code == 200
    assert client.post("/manage/ratings/2025/finalize", data={}).status_code == 403
    assert client.get("/manage/ratings/1999").status_code == 404


def test_readers_of_every_result_see_the_integrity_checks_officers_do_not(client, db, login):
    _commune(db)
    login("ubkt", "a-long-password")
    html = client.get("/manage/ratings/2025").get_data(as_text=True)
    assert "Kiểm tra tính trung thực của phiếu" in html
    assert "Không thấy dấu hiệu bất thường." in html
    assert client.get("/api/v1/evaluations/2025").get_json()["integrity"] == []
    client.post("/logout")
    login("canbo", "a-long-password")
    assert "Kiểm tra tính trung thực" not in client.get("/manage/ratings/2025").get_data(
        as_text=True
    )
    assert "integrity" not in client.get("/api/v1/evaluations/2025").get_json()


def test_the_tier_conditions_show_with_their_evidence(client, db, login):
    from survey.models import AnnualIndicator

    _commune(db)
    figures = db.session.scalar(sa.select(AnnualIndicator).limit(1))
    figures.members_disciplined = 1
    db.session.commit()
    login("thuongtruc", "a-long-password")
    html = client.get("/manage/ratings/2025").get_data(as_text=True)
    assert "Điều kiện của từng mức xếp loại (Quy định 366)" in html
    assert "Không có cán bộ, hội viên bị kỷ luật</strong>: chưa đạt. " in html
    assert "1 người bị kỷ luật." in html
    assert "Chưa ghi nhận nhiệm vụ nào của năm (chưa có căn cứ)." in html
    document = client.get("/api/v1/evaluations/2025").get_json()
    conditions = {c["code"]: c for c in document["organizations"][0]["conditions"]}
    assert conditions["no_discipline"]["met"] is False and conditions["no_discipline"]["value"] == 1
    page = client.get("/manage/ratings/2025/finalize").get_data(as_text=True)
    assert "Chưa có căn cứ cho điều kiện “Mọi nhiệm vụ hoàn thành đúng hạn”" in page
