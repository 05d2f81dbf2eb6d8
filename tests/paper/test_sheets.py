"""Correcting and withdrawing a typed paper sheet: who may, what changes, what the audit log
keeps (the sheet and the questions, never the answers)."""

import pytest
import sqlalchemy as sa

from survey.core.extensions import db as _db
from survey.models import (
    Answer,
    AuditLog,
    FastSheet,
    FeedbackItem,
    PaperEntry,
    Response,
    ResponseCriterion,
)
from tests.factories import make_defined_survey, make_organization, make_unit, make_user

PASSWORD = "a-long-password"
SHEET = {
    "q_hl": "2",
    "q_ly_do": "Ít họp",
    "q_kenh": "2",
    "q_phong_trao": "1 2",
    "q_co_du": "1",
    "q_so_buoi": "4",
    "q_gioi_thieu": "7",
    "q_gop_y": "",
}


@pytest.fixture
def setting(db):
    thon1 = make_unit(db, code="thon1", name="Thôn Một")
    thon2 = make_unit(db, code="thon2", name="Thôn Hai")
    org = make_organization(db, code="nongdan", name="Hội Nông dân")
    survey = make_defined_survey(db, org=org)
    make_user(db, username="thon1", role="unit_officer", unit=thon1, full_name="Lê Văn Tư")
    make_user(db, username="thon1b", role="unit_officer", unit=thon1, full_name="Đinh Thị Năm")
    make_user(db, username="thon2", role="unit_officer", unit=thon2)
    make_user(db, username="hoi", role="org_officer", organization=org)
    make_user(db, username="vanphong", role="admin", full_name="Nguyễn Thị Lan")
    db.session.commit()
    return survey


def url(survey):
    return f"/manage/paper/{survey.code}/sheets"


def type_sheet(client, survey, number, **changes):
    sent = client.post(
        f"/manage/paper/{survey.code}",
        data=SHEET | {"sheet": str(number), "unit": "thon1"} | changes,
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)


def response_of(survey, number):
    return _db.session.scalar(
        sa.select(Response).where(
            Response.survey_id == survey.id, Response.sheet_no == f"thon1-{number:04d}"
        )
    )


def count(model):
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_counted_sheet_is_found_by_its_number_and_corrected(client, login, setting):
    survey = setting
    login("thon1", PASSWORD)
    type_sheet(client, survey, 7)
    stored = response_of(survey, 7)
    _db.session.execute(sa.update(Response).values(released=True))
    _db.session.execute(sa.update(ResponseCriterion).values(released=True))
    _db.session.add(FastSheet(survey_id=survey.id, sheet_no="thon1-0007"))
    _db.session.commit()
    submitted_at = stored.submitted_at

    page = client.get(url(survey), query_string={"sheet": "7"}).get_data(as_text=True)
    assert "Tờ số 7 (Thôn Một)" in page and "Tờ phiếu này đã được tính" in page
    assert 'value="1 2"' in page  # the multi answer as typed: options 1 and 2
    assert 'name="q_hl" value="2"' in page and 'name="q_so_buoi" value="4"' in page  # not 2.0

    sent = client.post(url(survey), data=SHEET | {"unit": "thon1", "sheet": "7", "q_hl": "1"})
    assert sent.status_code == 302
    assert "thay đổi ở câu 1" in client.get(sent.headers["Location"]).get_data(as_text=True)
    _db.session.expire_all()
    fixed = response_of(survey, 7)
    likert = _db.session.scalar(
        sa.select(Answer.number).where(Answer.response_id == fixed.id, Answer.kind == "likert5")
    )
    counts = _db.session.execute(
        sa.select(ResponseCriterion.n1, ResponseCriterion.n2, ResponseCriterion.released).where(
            ResponseCriterion.response_id == fixed.id
        )
    ).one()
    assert likert == 1 and tuple(counts) == (1, 0, True)
    assert (fixed.released, fixed.submitted_at, fixed.channel) == (True, submitted_at, "paper")
    assert count(Response) == 1 and count(FastSheet) == 1  # the fast-typing flag stays

    entry = _db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "paper.correct"))
    assert entry.username == "thon1"
    assert entry.details == {"unit": "thon1", "sheet": 7, "questions": [1]}  # no answer in it
    login("vanphong", PASSWORD)
    log = client.get("/manage/audit/?action=paper.").get_data(as_text=True)
    assert "đã sửa tờ phiếu giấy số 7 của Thôn Một trong khảo sát" in log
    assert "Lê Văn Tư" in log and "câu 1" in log


def test_the_same_answers_change_nothing(client, login, setting):
    survey = setting
    login("thon1", PASSWORD)
    type_sheet(client, survey, 3)
    first_id = response_of(survey, 3).id
    sent = client.post(url(survey), data=SHEET | {"unit": "thon1", "sheet": "3"})
    assert "Không có gì thay đổi" in client.get(sent.headers["Location"]).get_data(as_text=True)
    assert response_of(survey, 3).id == first_id
    assert count(AuditLog) == 0


def test_a_wrong_correction_is_refused_and_keeps_what_was_typed(client, login, setting):
    survey = setting
    login("thon1", PASSWORD)
    type_sheet(client, survey, 4)
    sent = client.post(
        url(survey), data=SHEET | {"unit": "thon1", "sheet": "4", "q_so_buoi": "99", "q_hl": "1"}
    )
    page = sent.get_data(as_text=True)
    assert sent.status_code == 422 and 'value="99"' in page and 'value="1"' in page
    assert "không lưu" in page.lower() or "chưa được lưu" in page.lower()
    assert count(AuditLog) == 0
    assert (
        _db.session.scalar(
            sa.select(Answer.number).where(
                Answer.response_id == response_of(survey, 4).id, Answer.kind == "likert5"
            )
        )
        == 2
    )


def test_a_feedback_item_follows_its_text(client, login, setting):
    survey = setting
    login("thon1", PASSWORD)
    type_sheet(client, survey, 5)
    item = _db.session.scalar(sa.select(FeedbackItem))
    item.public_reply, item.status = "Thôn sẽ họp đều hơn.", "answered"
    _db.session.commit()
    item_id = item.id

    # Another answer changes: the item, replied to, keeps its reply and moves to the new answer.
    client.post(url(survey), data=SHEET | {"unit": "thon1", "sheet": "5", "q_so_buoi": "6"})
    _db.session.expire_all()
    kept = _db.session.get(FeedbackItem, item_id)
    new_answer = _db.session.scalar(
        sa.select(Answer.id).where(
            Answer.response_id == response_of(survey, 5).id, Answer.kind == "text"
        )
    )
    assert count(FeedbackItem) == 1 and kept.answer_id == new_answer
    assert kept.public_reply == "Thôn sẽ họp đều hơn."

    # A sheet whose feedback nobody acted on: a new text replaces it in the inbox.
    type_sheet(client, survey, 6)
    client.post(url(survey), data=SHEET | {"unit": "thon1", "sheet": "6", "q_ly_do": "Xa nhà"})
    texts = sorted(_db.session.scalars(sa.select(FeedbackItem.text)))
    assert texts == ["Xa nhà", "Ít họp"]


def test_withdrawing_asks_a_reason_and_a_confirmation(client, login, setting):
    survey = setting
    login("thon1", PASSWORD)
    type_sheet(client, survey, 8)
    withdraw = {"unit": "thon1", "sheet": "8", "action": "withdraw"}
    refused = client.post(url(survey), data=withdraw | {"reason": "Phiếu trùng"})
    assert refused.status_code == 422 and "Phiếu trùng" in refused.get_data(as_text=True)
    assert count(Response) == 1

    done = client.post(url(survey), data=withdraw | {"reason": "Phiếu trùng", "confirm": "yes"})
    assert done.status_code == 302
    assert count(Response) == 0 and count(Answer) == 0 and count(FeedbackItem) == 0
    entry = _db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "paper.withdraw"))
    assert entry.details == {"unit": "thon1", "sheet": 8, "reason": "Phiếu trùng"}
    type_sheet(client, survey, 8)  # its number can be typed again
    assert count(Response) == 1

    login("vanphong", PASSWORD)
    log = client.get("/manage/audit/").get_data(as_text=True)
    assert "đã rút tờ phiếu giấy số 8 của Thôn Một khỏi khảo sát" in log and "Phiếu trùng" in log


def test_a_waiting_first_typing_is_changed_by_its_typist_or_the_office(client, login, setting):
    survey = setting
    survey.double_entry = True
    _db.session.commit()
    login("thon1", PASSWORD)
    type_sheet(client, survey, 9)
    assert count(PaperEntry) == 1 and count(Response) == 0

    login("thon1b", PASSWORD)
    page = client.get(url(survey), query_string={"sheet": "9"}).get_data(as_text=True)
    assert "Mới nhập một lần" in page
    refused = client.post(url(survey), data=SHEET | {"unit": "thon1", "sheet": "9", "q_hl": "5"})
    assert refused.status_code == 409 and "chỉ người đã nhập nó" in refused.get_data(as_text=True)

    login("thon1", PASSWORD)
    client.post(url(survey), data=SHEET | {"unit": "thon1", "sheet": "9", "q_hl": "5"})
    assert _db.session.scalar(sa.select(PaperEntry.answers))["hl"] == 5

    login("vanphong", PASSWORD)
    client.post(
        url(survey),
        data={
            "unit": "thon1",
            "sheet": "9",
            "action": "withdraw",
            "reason": "Nhầm khảo sát",
            "confirm": "yes",
        },
    )
    assert count(PaperEntry) == 0
    actions = list(_db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))
    assert actions == ["paper.correct", "paper.withdraw"]


@pytest.mark.parametrize(("username", "status"), [("hoi", 403), ("ubkt", 403), ("vanphong", 200)])
def test_only_the_village_and_the_office_open_its_sheets(
    client, login, setting, db, username, status
):
    survey = setting
    make_user(db, username="ubkt", role="inspector")
    db.session.commit()
    login(username, PASSWORD)
    assert (
        client.get(url(survey), query_string={"unit": "thon1", "sheet": "1"}).status_code == status
    )


def test_another_village_officer_reaches_only_their_own_sheets(client, login, setting):
    survey = setting
    login("thon1", PASSWORD)
    type_sheet(client, survey, 1)
    login("thon2", PASSWORD)
    page = client.get(url(survey), query_string={"unit": "thon1", "sheet": "1"})
    html = page.get_data(as_text=True)
    assert "Thôn Hai" in html and "Chưa có tờ phiếu nào số này" in html and "Ít họp" not in html
    refused = client.post(
        url(survey),
        data={"unit": "thon1", "sheet": "1", "action": "withdraw", "reason": "x", "confirm": "yes"},
    )
    assert refused.status_code == 409 and count(Response) == 1


def test_a_closed_survey_keeps_its_sheets(client, login, setting):
    survey = setting
    login("thon1", PASSWORD)
    type_sheet(client, survey, 2)
    survey.status = "closed"
    _db.session.commit()
    page = client.get(url(survey), query_string={"sheet": "2"}).get_data(as_text=True)
    assert "không sửa được nữa" in page and "Lưu phần sửa" not in page
    refused = client.post(url(survey), data=SHEET | {"unit": "thon1", "sheet": "2", "q_hl": "5"})
    assert refused.status_code == 409 and count(AuditLog) == 0
