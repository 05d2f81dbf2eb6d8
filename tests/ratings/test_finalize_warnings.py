"""The confirmation page before finalizing names each open warning as the committee reads it:
new responses still being counted, criteria to review, borderline ratings and organizations held
back by the cap on "xuất sắc" (whose decision page gives the arithmetic)."""

import threading
import time

import pytest
import sqlalchemy as sa

from survey.models import AnnualIndicator, Evaluation
from tests.factories import make_surveyed_commune, make_user, submit_and_commit, surveyed_answers
from tests.test_route_access import sign_in_quickly

PASSWORD = "a-long-password"
URL = "/manage/ratings/2025/finalize"
TO_REVIEW = (
    "Hội Nông dân xã: cần xem xét. Kết quả tiêu chí Mức độ hài lòng của Nhân dân, hội viên "
    "(khảo sát) thay đổi khi tính hay không tính các phiếu bị gắn cờ."
)
HELD_BACK = (
    "Giữ ở mức “hoàn thành tốt” do giới hạn tỷ lệ “hoàn thành xuất sắc” (phần giải thích của "
    "từng tổ chức ghi rõ cách tính): Hội Nông dân xã."
)
BORDERLINE = "Sát ngưỡng (trong sai số của khảo sát, mức xếp loại có thể khác): Hội Nông dân xã."
UPDATING = "Dữ liệu đã thay đổi sau lần tính số liệu này (phiếu mới, số liệu hằng năm, nhiệm vụ"


@pytest.fixture
def commune(db):
    # Hội Nông dân: 100 points and every condition met, but alone among those rated tốt or
    # better (20% of 1 is 0): held back; its satisfaction changes with the flagged responses.
    world = make_surveyed_commune(db)
    make_user(db, username="thuongtruc", role="committee")
    db.session.commit()
    return world


def test_the_page_names_the_criteria_to_review_and_who_the_cap_held_back(
    client, db, login, commune
):
    login("thuongtruc", PASSWORD)
    page = client.get(URL).get_data(as_text=True)
    assert TO_REVIEW in page and HELD_BACK in page
    assert BORDERLINE not in page and UPDATING not in page
    # The decision page gives why: the arithmetic of the cap, in its explanation.
    decision = client.get("/manage/ratings/2025/nongdan/decide").get_data(as_text=True)
    assert "20% của 1 tổ chức là 0,2, làm tròn xuống thành 0" in decision
    # Read, not confirmed: nothing is finalized.
    client.post(URL, data={})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 0


def test_the_page_names_a_borderline_rating(client, db, login, commune):
    figures = db.session.scalar(
        sa.select(AnnualIndicator).where(AnnualIndicator.organization_id == commune["nongdan"].id)
    )
    # 92.4 points: at the low end of the satisfaction's interval, under 90.
    figures.recommendations_answered = figures.supervision_done = 1
    figures.shortcomings_identified, figures.shortcomings_remedied = 4, 3
    db.session.commit()
    login("thuongtruc", PASSWORD)
    page = client.get(URL).get_data(as_text=True)
    assert BORDERLINE in page and HELD_BACK not in page


def _wait_for_refreshes():
    for _ in range(500):
        if not [t for t in threading.enumerate() if t.name == "refresh kept figures"]:
            return
        time.sleep(0.02)
    raise AssertionError("a background refresh did not finish")


def test_the_page_says_when_responses_arrived_after_the_figures(make_app):
    from survey.core.extensions import db

    # Kept figures computed in the background, at most once an hour while answers arrive.
    app = make_app(AGGREGATE_REFRESH="background", AGGREGATE_REFRESH_SECONDS=3600)
    with app.app_context():
        world = make_surveyed_commune(db)
        make_user(db, username="thuongtruc", role="committee")
        db.session.commit()
        client = app.test_client()
        sign_in_quickly(client, db, "thuongtruc")
        assert client.get(URL).status_code == 202  # computed for the first time
        _wait_for_refreshes()
        page = client.get(URL).get_data(as_text=True)
        assert UPDATING not in page and TO_REVIEW in page
        for n in range(10):  # a batch of at least k responses, released together
            submit_and_commit(world["survey"], surveyed_answers(n), submission_uid=f"late-{n}")
        page = client.get(URL).get_data(as_text=True)
        assert UPDATING in page
        _wait_for_refreshes()
