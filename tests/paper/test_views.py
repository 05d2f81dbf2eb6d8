"""Paper entry by village officers: fast typing, numbered choices, double entry."""

import re

import pytest
import sqlalchemy as sa

from survey.core.extensions import db as _db
from survey.models import Answer, Invitation, PaperEntry, Response, Unit, User
from survey.paper.entry import SheetRefused, check_sheet, enter_sheet
from tests.concurrency import race
from tests.factories import make_defined_survey, make_unit, make_user

PASSWORD = "a-long-password"


@pytest.fixture
def setting(db):
    thon1 = make_unit(db, code="thon1", name="Thôn 1")
    thon2 = make_unit(db, code="thon2", name="Thôn 2")
    survey = make_defined_survey(db)
    officer = make_user(db, username="thon1", role="unit_officer", unit=thon1, password=PASSWORD)
    make_user(db, username="thon1b", role="unit_officer", unit=thon1, password=PASSWORD)
    make_user(db, username="thon2", role="unit_officer", unit=thon2, password=PASSWORD)
    make_user(db, username="ubkt", role="inspector", password=PASSWORD)
    db.session.commit()
    return survey, officer


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


def type_sheet(client, survey, number, **changes):
    return client.post(
        f"/manage/paper/{survey.code}",
        data=SHEET | {"sheet": str(number), "unit": "thon1"} | changes,
    )


def count(model):
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_typed_sheet_becomes_a_paper_response(client, login, setting):
    survey, _officer = setting
    login("thon1", PASSWORD)
    page = client.get(f"/manage/paper/{survey.code}").get_data(as_text=True)
    assert "Thôn 1" in page and "1 = Loa thôn; 2 = Họp thôn" in page
    sent = type_sheet(client, survey, 7)
    assert sent.status_code == 302 and "sheet=8" in sent.headers["Location"]
    response = _db.session.scalar(sa.select(Response))
    assert (response.channel, response.sheet_no, response.unit.code) == (
        "paper",
        "thon1-0007",
        "thon1",
    )
    options = set(
        _db.session.scalars(sa.select(Answer.option_id).where(Answer.option_id.is_not(None)))
    )
    assert len(options) == 3  # "Họp thôn" and the two movements
    assert "Tờ số 7 (Thôn 1) đã được ghi nhận" in client.get(sent.headers["Location"]).get_data(
        as_text=True
    )

    again = type_sheet(client, survey, 7)
    assert again.status_code == 422 and "đã được ghi nhận rồi" in again.get_data(as_text=True)
    assert count(Response) == 1


def test_wrong_values_are_marked_and_everything_typed_is_kept(client, login, setting):
    survey, _officer = setting
    login("thon1", PASSWORD)
    sent = type_sheet(client, survey, 3, q_kenh="5", q_so_buoi="40", q_gop_y="Giữ lại chữ này")
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422
    assert "Ghi một số từ 1 đến 2." in html and "Xin ghi một số từ 0 đến 24" in html
    assert 'value="40"' in html and "Giữ lại chữ này" in html and 'value="3"' in html
    assert count(Response) == 0


def test_out_of_range_answers_say_which_numbers_the_sheet_allows(client, login, setting):
    survey, _officer = setting
    login("thon1", PASSWORD)
    html = type_sheet(client, survey, 3, q_hl="7", q_co_du="2", q_gioi_thieu="11").get_data(
        as_text=True
    )
    assert "Ghi một số từ 1 đến 5." in html  # the faces
    assert "Ghi 1 nếu Có, 0 nếu Không." in html
    assert "Ghi một số từ 0 đến 10." in html
    assert count(Response) == 0


def test_the_page_counts_the_village_s_sheets_today_and_in_all(client, login, setting):
    survey, _officer = setting
    login("thon1", PASSWORD)
    page = client.get(f"/manage/paper/{survey.code}").get_data(as_text=True)
    assert "Hôm nay đã nhập 0 phiếu · tổng cộng 0 phiếu (Thôn 1)" in page
    type_sheet(client, survey, 1)
    type_sheet(client, survey, 2)
    page = client.get(f"/manage/paper/{survey.code}").get_data(as_text=True)
    assert "Hôm nay đã nhập 2 phiếu · tổng cộng 2 phiếu (Thôn 1)" in page
    login("thon2", PASSWORD)  # another village's count is its own
    page = client.get(f"/manage/paper/{survey.code}").get_data(as_text=True)
    assert "tổng cộng 0 phiếu (Thôn 2)" in page


def test_only_open_surveys_are_offered_and_differences_say_when_there_are_none(
    client, login, setting, db
):
    survey, _officer = setting
    closed = make_defined_survey(db, status="closed", title={"vi": "Khảo sát đã đóng"})
    db.session.commit()
    login("thon1", PASSWORD)
    listing = client.get("/manage/paper/").get_data(as_text=True)
    assert survey.text("title", "vi") in listing and "Đang mở" in listing
    assert "Khảo sát đã đóng" not in listing and closed.code not in listing
    differences = client.get(f"/manage/paper/{survey.code}/differences").get_data(as_text=True)
    assert "không dùng cách nhập hai lần" in differences


def test_sheet_number_must_be_a_positive_number(client, login, setting):
    survey, _officer = setting
    login("thon1", PASSWORD)
    sent = type_sheet(client, survey, "abc")
    assert sent.status_code == 422 and "Ghi số của tờ phiếu" in sent.get_data(as_text=True)


def test_village_officer_types_only_for_the_own_village(client, login, setting):
    survey, _officer = setting
    login("thon2", PASSWORD)
    type_sheet(client, survey, 1)  # the form's unit=thon1 is ignored: the officer's own is used
    assert _db.session.scalar(sa.select(Response.sheet_no)) == "thon2-0001"


@pytest.mark.parametrize("who", [None, "ubkt"])
def test_readers_and_strangers_cannot_type(client, login, setting, who):
    survey, _officer = setting
    if who:
        login(who, PASSWORD)
    response = client.get(f"/manage/paper/{survey.code}")
    assert response.status_code == (403 if who else 302)
    assert count(Response) == 0


def test_double_entry_counts_a_sheet_when_two_people_agree(client, login, setting, db):
    survey, _officer = setting
    survey.double_entry = True
    db.session.commit()
    login("thon1", PASSWORD)
    first = type_sheet(client, survey, 5)
    assert "Cần một người khác nhập lại" in client.get(first.headers["Location"]).get_data(
        as_text=True
    )
    assert count(Response) == 0 and count(PaperEntry) == 1
    same_person = type_sheet(client, survey, 5)
    assert same_person.status_code == 422 and "người khác" in same_person.get_data(as_text=True)

    client.post("/logout")
    login("thon1b", PASSWORD)
    type_sheet(client, survey, 5)
    assert count(Response) == 1 and count(PaperEntry) == 0


def test_double_entry_mismatch_is_listed_and_resolved(client, login, setting, db):
    survey, _officer = setting
    survey.double_entry = True
    db.session.commit()
    login("thon1", PASSWORD)
    type_sheet(client, survey, 9)
    client.post("/logout")
    login("thon1b", PASSWORD)
    second = type_sheet(client, survey, 9, q_so_buoi="5")
    assert "khác nhau ở câu 6" in client.get(second.headers["Location"]).get_data(as_text=True)
    assert count(Response) == 0

    listing = client.get(f"/manage/paper/{survey.code}/differences").get_data(as_text=True)
    assert "Tờ số 9 (Thôn 1)" in listing and "Dự bao nhiêu buổi?" in listing
    resolved = client.post(
        f"/manage/paper/{survey.code}/differences",
        data=SHEET | {"sheet_no": "thon1-0009", "q_so_buoi": "5"},
    )
    assert resolved.status_code == 302
    assert count(Response) == 1 and count(PaperEntry) == 0
    assert (
        _db.session.scalar(
            sa.select(Answer.number)
            .join(Answer.question)
            .where(sa.text("question.code = 'so_buoi'"))
        )
        == 5
    )


def test_index_lists_the_surveys_an_officer_may_type(client, login, setting, db):
    survey, _officer = setting
    draft = make_defined_survey(db, status="draft")
    login("thon1", PASSWORD)
    page = client.get("/manage/paper/").get_data(as_text=True)
    assert survey.title["vi"] in page and draft.title["vi"] not in page


def test_village_officer_prints_slips_for_a_member_survey(client, login, setting, db):
    member = make_defined_survey(
        db,
        audience="member",
        questions=[{"code": "hl", "kind": "likert5", "text": {"vi": "Hài lòng?"}}],
    )
    login("thon1", PASSWORD)
    assert "Thôn 1" in client.get(f"/manage/paper/{member.code}/slips").get_data(as_text=True)
    bad = client.post(f"/manage/paper/{member.code}/slips", data={"count": "0"})
    assert bad.status_code == 422 and "từ 1 đến 500" in bad.get_data(as_text=True)
    page = client.post(f"/manage/paper/{member.code}/slips", data={"count": "3"})
    codes = re.findall(r'class="code">([A-Z0-9]{4}-[A-Z0-9]{4})<', page.get_data(as_text=True))
    assert len(codes) == 3
    units = set(_db.session.scalars(sa.select(Invitation.unit_id)))
    assert count(Invitation) == 3 and len(units) == 1
    # A public survey has no slips.
    assert client.get(f"/manage/paper/{setting[0].code}/slips").status_code == 404


def test_two_officers_typing_one_sheet_at_once_never_fail(app, setting, db):
    survey, _officer = setting
    survey.double_entry = True
    db.session.commit()
    users = {u.username: u.id for u in db.session.scalars(sa.select(User))}
    unit_id = db.session.scalar(sa.select(Unit.id).where(Unit.code == "thon1"))
    answers, errors = check_sheet(survey, {k[2:]: v for k, v in SHEET.items()})
    assert errors == {}
    names = iter(["thon1", "thon1b"])

    def officer(fresh):
        user = db.session.get(User, users[next(names)])
        try:
            outcome = enter_sheet(
                fresh, db.session.get(Unit, unit_id), "thon1-0042", answers, user
            ).outcome
            db.session.commit()  # as the paper entry view does
            return outcome
        except SheetRefused as refused:
            return str(refused)

    outcomes, failures = race(app, survey, 2, officer)
    assert failures == []
    # Either one saved first and the other matched it, or both saved at once and one was told.
    assert sorted(outcomes) in (["stored", "waiting"], ["typed meanwhile", "waiting"])


def test_a_sheet_typed_while_the_database_fails_stays_on_screen(
    client, login, setting, monkeypatch
):
    """A village officer's typing is not lost: the sheet comes back whole, to be saved again."""
    from survey.paper import views as paper

    survey, _officer = setting
    login("thon1", PASSWORD)

    def database_gone(*args, **kwargs):
        raise sa.exc.OperationalError("INSERT", {}, ConnectionError("server is down"))

    monkeypatch.setattr(paper, "enter_sheet", database_gone)
    sent = type_sheet(client, survey, 3, q_gop_y="Giữ lại chữ này")
    html = sent.get_data(as_text=True)
    assert sent.status_code == 503 and sent.headers["Retry-After"] == "30"
    assert "lưu lại tờ phiếu sau một phút" in html
    assert "Giữ lại chữ này" in html and 'value="3"' in html
    assert count(Response) == 0
