"""What is late in the inbox: days waited, overdue past the rule set's answer window, the list
sorted and filtered by it, the workspace home's counts, and a published reply that answers."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from survey.feedback.waiting import deadlines
from survey.models import AuditLog, FeedbackItem, Setting, utcnow
from tests.factories import make_organization, make_survey, make_unit, make_user, saved_setting

PASSWORD = "a-long-password"
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


@pytest.fixture
def world(db):
    """An organization each for two officers, a survey each, and items of known ages."""
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân")
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ")
    unit = make_unit(db, code="thon1", name="Thôn 1")
    text_q = [{"code": "gop_y", "kind": "text", "feedback": True}]
    s_nd = make_survey(db, text_q, code="nd", title={"vi": "Khảo sát Nông dân"})
    s_nd.organizations.append(nongdan)
    s_pn = make_survey(db, text_q, code="pn", title={"vi": "Khảo sát Phụ nữ"})
    s_pn.organizations.append(phunu)
    make_user(db, username="admin", role="admin", password=PASSWORD)
    make_user(db, username="officer", role="org_officer", password=PASSWORD, organization=nongdan)
    now = utcnow()

    def item(org, survey, text, age, **fields):
        row = FeedbackItem(
            organization=org, survey=survey, unit=unit, text=text, received_at=now - age, **fields
        )
        db.session.add(row)
        return row

    items = {
        "d29": item(nongdan, s_nd, "Hai mươi chín ngày.", 29 * DAY),
        "d30": item(nongdan, s_nd, "Ngày thứ ba mươi.", 30 * DAY - MINUTE),
        "d30+": item(nongdan, s_nd, "Vừa quá ba mươi ngày.", 30 * DAY + MINUTE),
        "d31": item(nongdan, s_nd, "Ba mươi mốt ngày.", 31 * DAY, status="in_progress"),
        "answered": item(
            nongdan,
            s_nd,
            "Đã trả lời sau bốn mươi ngày.",
            60 * DAY,
            status="answered",
            public_reply="Đã xử lý.",
            answered_at=now - 20 * DAY,
        ),
        "phunu": item(phunu, s_pn, "Chị em chờ đã lâu.", 45 * DAY),
    }
    db.session.commit()
    return {key: row.id for key, row in items.items()}


def overdue_ids(db, now=None):
    late = deadlines(now=now).overdue_condition()
    return set(db.session.scalars(sa.select(FeedbackItem.id).where(late)))


def test_overdue_at_the_windows_edge(db, world):
    due = deadlines()
    items = {key: db.session.get(FeedbackItem, id_) for key, id_ in world.items()}
    assert {key: due.overdue(item) for key, item in items.items()} == {
        "d29": False,
        "d30": False,  # its 30th day is not over
        "d30+": True,
        "d31": True,
        "answered": False,  # answered, late or not, is no longer waiting
        "phunu": True,
    }
    assert {key: due.waited(item) for key, item in items.items()} == {
        "d29": 29,
        "d30": 29,
        "d30+": 30,
        "d31": 31,
        "answered": 40,
        "phunu": 45,
    }
    # The SQL condition the list and the counts filter with says the same.
    assert overdue_ids(db, due.now) == {world[k] for k in ("d30+", "d31", "phunu")}


def test_the_window_is_the_rule_set_of_the_year_the_item_arrived(db, world):
    """30 days by default; the office gave 2025 sixty days: an item of December 2025 is in
    time after 59 days, one of January 2026 overdue after 34."""
    december, january = world["d29"], world["d31"]
    db.session.get(FeedbackItem, december).received_at = datetime(2025, 12, 10, 3, tzinfo=UTC)
    db.session.get(FeedbackItem, january).received_at = datetime(2026, 1, 5, 3, tzinfo=UTC)
    for key in ("d30", "d30+", "answered", "phunu"):
        db.session.delete(db.session.get(FeedbackItem, world[key]))
    db.session.add(
        Setting(key="RULES_TOML", value="[year.2025.feedback]\nanswer_within_days = 60\n")
    )
    db.session.commit()
    now = datetime(2026, 2, 7, 3, tzinfo=UTC)
    due = deadlines(now=now)
    assert due.windows == {2025: 60, 2026: 30}
    assert overdue_ids(db, now) == {january}
    assert overdue_ids(db, now + 2 * DAY) == {december, january}
    # A saved rule set that cannot be read leaves the default window, not a broken inbox.
    saved_setting(db, "RULES_TOML").value = "[feedback\n"
    db.session.commit()
    assert deadlines(now=now).windows == {2025: 30, 2026: 30}


def test_the_list_marks_filters_and_sorts_what_is_late(client, login, world):
    login("officer", PASSWORD)
    page = client.get("/manage/feedback/").get_data(as_text=True)
    assert page.count('class="badge overdue"') == 2  # d30+ and d31; phunu is not theirs
    assert "chờ 29 ngày" in page and "Quá hạn" in page
    late = client.get("/manage/feedback/?late=1").get_data(as_text=True)
    assert "Vừa quá ba mươi ngày." in late and "Ba mươi mốt ngày." in late
    assert "Hai mươi chín ngày." not in late and "Ngày thứ ba mươi." not in late
    assert "Đã trả lời sau" not in late
    waiting = client.get("/manage/feedback/?sort=waiting").get_data(as_text=True)
    order = [
        waiting.index(text)
        for text in (
            "Ba mươi mốt ngày.",
            "Vừa quá ba mươi ngày.",
            "Ngày thứ ba mươi.",
            "Hai mươi chín ngày.",
            "Đã trả lời sau",
        )
    ]
    assert order == sorted(order)
    newest = client.get("/manage/feedback/").get_data(as_text=True)
    assert newest.index("Hai mươi chín ngày.") < newest.index("Ba mươi mốt ngày.")


def test_the_item_page_says_how_long_it_waited_and_by_when_it_was_due(client, login, world):
    login("officer", PASSWORD)
    page = client.get(f"/manage/feedback/{world['d31']}").get_data(as_text=True)
    assert "31 ngày" in page and "Quá hạn" in page and "hạn trả lời là" in page
    page = client.get(f"/manage/feedback/{world['d29']}").get_data(as_text=True)
    assert "29 ngày" in page and "Quá hạn" not in page and "hạn trả lời:" in page


def test_the_workspace_home_counts_new_and_overdue_for_each_role(client, login, world):
    login("officer", PASSWORD)
    home = client.get("/manage/").get_data(as_text=True)
    # new: d29, d30, d30+ (d31 is in progress); overdue: d30+, d31 — the other's are not theirs
    assert "3 ý kiến mới" in home and "2 quá hạn" in home
    assert "/manage/feedback/?late=1" in home
    client.post("/auth/logout")
    login("admin", PASSWORD)
    home = client.get("/manage/").get_data(as_text=True)
    assert "4 ý kiến mới" in home and "3 quá hạn" in home


def test_publishing_a_reply_answers_the_item(client, login, world, db):
    login("officer", PASSWORD)
    item_id = world["d31"]
    sent = client.post(
        f"/manage/feedback/{item_id}",
        data={
            "topic": "",
            "status": "in_progress",  # left as it was
            "forwarded_to": "",
            "public_reply": "Xã đã sửa xong đoạn đường.",
            "published": "y",
        },
    )
    assert sent.status_code == 302
    db.session.expire_all()
    item = db.session.get(FeedbackItem, item_id)
    assert (item.status, item.published, item.answered_at is not None) == ("answered", True, True)
    actions = set(db.session.scalars(sa.select(AuditLog.action)))
    assert {"feedback.status", "feedback.reply", "feedback.publish"} <= actions
    page = client.get(f"/manage/feedback/{item_id}").get_data(as_text=True)
    assert "chuyển sang “Đã trả lời”" in page
