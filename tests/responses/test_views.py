"""The public survey form: every kind of question, validation, show_if, states, exactly once."""

import logging
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from survey.core.extensions import db as _db
from survey.models import Answer, FeedbackItem, ReceiptCode, Response
from tests.concurrency import race
from tests.factories import make_defined_survey, make_unit, make_user, submit_and_commit


def form_fields(html):
    """The hidden fields of a rendered form."""
    return {
        name: re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)
        for name in ("submission_uid", "started")
    }


def checked(html, name, value):
    """True when the radio or check box `name`=`value` is rendered checked."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return " checked" in tag
    return False


def fresh_form(client, survey, query=""):
    page = client.get(f"/s/{survey.code}{query}")
    assert page.status_code == 200
    return form_fields(page.get_data(as_text=True))


GOOD = {
    "unit": "-",
    "q_hl": "4",
    "q_kenh": "loa",
    "q_phong_trao": ["ntm", "ngheo"],
    "q_co_du": "1",
    "q_so_buoi": "12",
    "q_gioi_thieu": "9",
    "q_gop_y": "Cảm ơn hội.",
}


def post(client, survey, data, query=""):
    return client.post(f"/s/{survey.code}{query}", data=data)


def count(model):
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def survey(db):
    return make_defined_survey(db)


def test_form_shows_every_kind_of_question(client, survey):
    html = client.get(f"/s/{survey.code}").get_data(as_text=True)
    assert html.count('name="q_hl" type="radio"') == 5
    assert "Rất hài lòng" in html and "Rất không hài lòng" in html  # words under the faces
    assert html.count('name="q_gioi_thieu" type="radio"') == 11
    assert html.count('name="q_co_du" type="radio"') == 2
    assert "Loa thôn" in html and "Họp thôn" in html
    assert html.count('name="q_phong_trao" type="checkbox"') == 3
    assert 'name="q_so_buoi"' in html and 'inputmode="decimal"' in html
    assert "<textarea" in html and 'maxlength="50"' in html
    assert "Câu 1/8" in html
    uid = form_fields(html)["submission_uid"]
    assert uuid.UUID(uid).version == 4


def test_valid_submission_is_stored_with_a_receipt(client, survey):
    response = post(client, survey, GOOD | fresh_form(client, survey))
    assert response.status_code == 303
    receipt = response.headers["Location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}", receipt)

    stored = _db.session.scalar(sa.select(Response))
    assert stored.channel == "web" and stored.unit_id is None
    assert stored.duration_s is not None and stored.duration_s >= 0
    # The receipt is kept apart: nothing of the response's row leads to it, nor back.
    assert _db.session.scalars(sa.select(ReceiptCode.code)).all() == [receipt]
    row = " ".join(str(getattr(stored, c.name)) for c in Response.__table__.columns)
    assert receipt not in row
    answers = {
        (a.question.code, a.number, a.option.code if a.option else None, a.text)
        for a in _db.session.scalars(sa.select(Answer))
    }
    assert answers == {
        ("hl", 4, None, None),
        ("kenh", None, "loa", None),
        ("phong_trao", None, "ntm", None),
        ("phong_trao", None, "ngheo", None),
        ("co_du", 1, None, None),
        ("so_buoi", 12, None, None),
        ("gioi_thieu", 9, None, None),
        ("gop_y", None, None, "Cảm ơn hội."),
    }

    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert receipt in done and "đã được ghi nhận" in done
    check = client.get(f"/r/{receipt}").get_data(as_text=True)
    assert "được ghi nhận trong cuộc khảo sát" in check and survey.title["vi"] in check
    assert "Cảm ơn hội" not in check and "loa" not in check
    assert not re.search(r"\d{2}/\d{2}/\d{4}", check)  # nor when


def test_unknown_receipt_is_404(client):
    assert client.get("/r/ABCDEFGH").status_code == 404


def test_missing_required_answer_keeps_everything_typed(client, survey):
    data = GOOD | fresh_form(client, survey) | {"q_hl": "", "q_gop_y": "Đường <b>xấu</b>"}
    response = post(client, survey, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Xin trả lời câu này." in html
    assert checked(html, "q_kenh", "loa") and not checked(html, "q_kenh", "hop")
    assert checked(html, "q_phong_trao", "ntm") and checked(html, "q_phong_trao", "ngheo")
    assert 'value="12"' in html
    assert "Đường &lt;b&gt;xấu&lt;/b&gt;" in html
    assert f'value="{data["submission_uid"]}"' in html  # the same submission goes on
    assert count(Response) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("q_hl", "7", "Xin chọn một trong các câu trả lời"),
        ("q_gioi_thieu", "11", "Xin chọn một trong các câu trả lời"),
        ("q_co_du", "2", "Xin chọn một trong các câu trả lời"),
        ("q_kenh", "zz", "Xin chọn một trong các câu trả lời"),
        ("q_phong_trao", ["ntm", "forged"], "Xin chọn một trong các câu trả lời"),
        ("q_so_buoi", "30", "Xin ghi một số từ 0 đến 24"),
        ("q_so_buoi", "-1", "Xin ghi một số từ 0 đến 24"),
        ("q_so_buoi", "mười", "Xin ghi một con số"),
        ("q_so_buoi", "nan", "Xin ghi một con số"),
        ("unit", "nowhere", "Xin chọn thôn, làng của bà con"),
        ("unit", "", "Xin chọn thôn, làng của bà con"),
    ],
)
def test_invalid_answers_are_refused_with_a_message(client, survey, field, value, message):
    response = post(client, survey, GOOD | fresh_form(client, survey) | {field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Response) == 0


def test_numbers_accept_a_decimal_comma(client, db):
    survey = make_defined_survey(
        db,
        questions=[
            {
                "code": "ha",
                "kind": "number",
                "min_value": 0,
                "max_value": 10,
                "required": True,
                "text": {"vi": "Bao nhiêu ha?"},
            }
        ],
    )
    assert (
        post(client, survey, {"unit": "-", "q_ha": "2,5"} | fresh_form(client, survey)).status_code
        == 303
    )
    assert _db.session.scalar(sa.select(Answer.number)) == 2.5


def test_text_over_its_limit_is_refused(client, survey):
    response = post(client, survey, GOOD | fresh_form(client, survey) | {"q_gop_y": "x" * 1001})
    assert response.status_code == 422
    assert "1000 ký tự" in response.get_data(as_text=True)


def test_hidden_question_is_not_required_and_its_answer_ignored(client, survey):
    # hl = 4: "ly_do" (shown only for 1 or 2) is hidden; its answer must not be stored.
    data = GOOD | fresh_form(client, survey) | {"q_ly_do": "should be ignored"}
    assert post(client, survey, data).status_code == 303
    texts = set(_db.session.scalars(sa.select(Answer.text).where(Answer.text.is_not(None))))
    assert texts == {"Cảm ơn hội."}


def test_shown_question_is_required_and_stored(client, survey):
    data = GOOD | fresh_form(client, survey) | {"q_hl": "2"}
    refused = post(client, survey, data)
    assert refused.status_code == 422
    assert "Xin trả lời câu này." in refused.get_data(as_text=True)

    accepted = post(client, survey, data | {"q_ly_do": "Ít họp"})
    assert accepted.status_code == 303
    item = _db.session.scalar(sa.select(FeedbackItem))
    assert item.text == "Ít họp" and item.status == "new"
    assert item.organization_id == survey.organizations[0].id


def test_same_submission_twice_gives_the_same_receipt(client, survey):
    data = GOOD | fresh_form(client, survey)
    first = post(client, survey, data)
    second = post(client, survey, data)
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Response) == 1


def test_same_submission_with_other_answers_is_a_conflict(client, survey):
    data = GOOD | fresh_form(client, survey)
    post(client, survey, data)
    conflict = post(client, survey, data | {"q_hl": "5"})
    assert conflict.status_code == 409
    assert "đã được gửi" in conflict.get_data(as_text=True)
    assert count(Response) == 1


def test_forged_submission_uid_is_refused(client, survey):
    response = post(client, survey, GOOD | fresh_form(client, survey) | {"submission_uid": "1"})
    assert response.status_code == 400
    assert count(Response) == 0


def test_concurrent_identical_submissions_store_one_response(app, survey):
    answers = {"hl": 5, "kenh": "hop"}
    uid = str(uuid.uuid4())
    receipts, errors = race(
        app, survey, 4, lambda fresh: submit_and_commit(fresh, answers, submission_uid=uid).code
    )
    assert errors == []
    assert len(receipts) == 4 and len(set(receipts)) == 1
    assert count(Response) == 1


def test_expired_csrf_token_keeps_the_answers(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        survey = make_defined_survey(_db)
        code = survey.code
    client = app.test_client()
    html = client.get(f"/s/{code}").get_data(as_text=True)
    data = GOOD | form_fields(html) | {"csrf_token": "expired-or-forged"}
    response = client.post(f"/s/{code}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Các câu trả lời vẫn còn nguyên" in page
    assert checked(page, "q_kenh", "loa") and "Cảm ơn hội." in page
    fresh_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert fresh_token != "expired-or-forged"
    resent = client.post(f"/s/{code}", data=data | {"csrf_token": fresh_token})
    assert resent.status_code == 303
    with app.app_context():
        assert count(Response) == 1


def test_this_phone_already_answered_but_another_person_may(client, survey):
    post(client, survey, GOOD | fresh_form(client, survey))
    receipt = _db.session.scalar(sa.select(ReceiptCode.code))
    again = client.get(f"/s/{survey.code}").get_data(as_text=True)
    assert "Điện thoại này đã gửi ý kiến" in again and receipt in again
    assert 'name="q_hl"' not in again
    other = client.get(f"/s/{survey.code}?again=1").get_data(as_text=True)
    assert 'name="q_hl"' in other


def test_village_from_the_qr_code(client, db, survey):
    unit = make_unit(db, code="thon3", name="Thôn 3")
    db.session.commit()
    page = client.get(f"/s/{survey.code}?u=thon3").get_data(as_text=True)
    assert "Thôn 3" in page and 'name="unit"' not in page
    data = GOOD | form_fields(page)
    del data["unit"]
    assert post(client, survey, data, "?u=thon3").status_code == 303
    assert _db.session.scalar(sa.select(Response.unit_id)) == unit.id


def test_village_chosen_on_the_form(client, db, survey):
    unit = make_unit(db, code="langbang", name="Làng Bằng")
    db.session.commit()
    assert (
        post(client, survey, GOOD | fresh_form(client, survey) | {"unit": "langbang"}).status_code
        == 303
    )
    assert _db.session.scalar(sa.select(Response.unit_id)) == unit.id


def test_questions_in_the_chosen_language(client, survey):
    page = client.get(f"/s/{survey.code}?lang=en").get_data(as_text=True)
    assert "How satisfied are you?" in page and "Village loudspeaker" in page
    assert (
        post(client, survey, GOOD | fresh_form(client, survey, "?lang=en"), "?lang=en").status_code
        == 303
    )
    assert _db.session.scalar(sa.select(Response.lang)) == "en"


def test_draft_is_404_for_the_public_and_a_preview_for_officers(client, db, login):
    survey = make_defined_survey(db, status="draft")
    make_user(db, username="canbo", password="a-long-password")
    db.session.commit()
    assert client.get(f"/s/{survey.code}").status_code == 404
    assert post(client, survey, GOOD).status_code == 404

    login("canbo", "a-long-password")
    preview = client.get(f"/s/{survey.code}")
    assert preview.status_code == 200 and "Xem trước" in preview.get_data(as_text=True)
    post(client, survey, GOOD | form_fields(preview.get_data(as_text=True)))
    assert count(Response) == 0


@pytest.mark.parametrize(
    ("overrides", "text"),
    [
        ({"status": "closed"}, "Khảo sát này đã kết thúc"),
        (
            {
                "closes_at": (datetime.now(timezone.utc) - timedelta(days=1)).isoformat(),
                "opens_at": (datetime.now(timezone.utc) - timedelta(days=9)).isoformat(),
            },
            "Khảo sát này đã kết thúc",
        ),
        (
            {"opens_at": (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()},
            "Khảo sát này sẽ mở vào ngày",
        ),
    ],
    ids=["closed", "past-closing-date", "not-yet-open"],
)
def test_closed_or_not_yet_open_survey_stores_nothing(client, db, overrides, text):
    survey = make_defined_survey(db, **overrides)
    page = client.get(f"/s/{survey.code}")
    assert page.status_code == 200 and text in page.get_data(as_text=True)
    sent = post(client, survey, GOOD | {"submission_uid": str(uuid.uuid4())})
    assert sent.status_code in (200, 410) and count(Response) == 0


def test_no_ip_address_or_user_agent_is_stored(client, db, survey):
    data = GOOD | fresh_form(client, survey)
    client.post(
        f"/s/{survey.code}",
        data=data,
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
        headers={"User-Agent": "CheapPhone/1.0", "X-Forwarded-For": "198.51.100.23"},
    )
    assert count(Response) == 1
    dump = []
    for table in _db.metadata.sorted_tables:
        for row in _db.session.execute(sa.select(table)):
            dump.append(" ".join(str(v) for v in row))
    text = "\n".join(dump)
    for secret in ("203.0.113.77", "198.51.100.23", "CheapPhone"):
        assert secret not in text


def test_posting_too_fast_from_one_address_is_limited(make_app, caplog):
    app = make_app(RATELIMIT_ENABLED=True, SUBMIT_RATE_LIMIT="2 per minute")
    with app.app_context():
        survey = make_defined_survey(_db)
        code = survey.code
    client = app.test_client()
    caplog.set_level(logging.DEBUG)
    statuses = [
        client.post(
            f"/s/{code}", data={"q_hl": ""}, environ_base={"REMOTE_ADDR": "203.0.113.9"}
        ).status_code
        for _ in range(3)
    ]
    assert statuses[:2] == [422, 422]
    assert statuses[2] == 429
    limited = client.post(f"/s/{code}", data={}, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert "Xin chờ một phút" in limited.get_data(as_text=True)
    assert "203.0.113.9" not in caplog.text  # not even at debug level


def test_every_visit_gets_its_own_submission_and_the_page_follows_changes(client, db, survey):
    first = form_fields(client.get(f"/s/{survey.code}").get_data(as_text=True))
    second = form_fields(client.get(f"/s/{survey.code}").get_data(as_text=True))
    assert first["submission_uid"] != second["submission_uid"]
    assert "__SUBMISSION_UID__" not in client.get(f"/s/{survey.code}").get_data(as_text=True)
    survey.title = {"vi": "Tiêu đề mới", "en": "New title"}
    db.session.commit()
    assert "Tiêu đề mới" in client.get(f"/s/{survey.code}").get_data(as_text=True)


def test_signed_in_officer_does_not_get_the_shared_page(client, db, login, survey):
    client.get(f"/s/{survey.code}")  # fills the shared page
    make_user(db, username="canbo", password="a-long-password", full_name="Cán bộ Lan")
    db.session.commit()
    login("canbo", "a-long-password")
    assert "Cán bộ Lan" in client.get(f"/s/{survey.code}").get_data(as_text=True)


def test_the_thank_you_page_is_only_for_a_receipt_of_its_survey(client, survey, db):
    sent = post(client, survey, GOOD | fresh_form(client, survey))
    receipt = sent.headers["Location"].rsplit("/", 1)[1]
    other = make_defined_survey(db)
    assert client.get(f"/s/{survey.code}/done/{receipt}").status_code == 200
    assert client.get(f"/s/{other.code}/done/{receipt}").status_code == 404
