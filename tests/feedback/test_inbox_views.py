"""The feedback inbox: filters and search, the status flow, publication, scope and audit."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from survey.models import AuditLog, FeedbackItem, Response
from tests.factories import make_organization, make_survey, make_unit, make_user

PASSWORD = "a-long-password"
DAY = datetime(2025, 6, 1, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def world(db):
    """Two organizations, two villages, one survey each, officers of both, readers, items."""
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân", short_name="Nông dân")
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ", short_name="Phụ nữ")
    thon1 = make_unit(db, code="thon1", name="Thôn 1")
    thon2 = make_unit(db, code="thon2", name="Thôn 2")
    text_q = [{"code": "gop_y", "kind": "text", "feedback": True}]
    s_nd = make_survey(db, text_q, code="nd-2025", title={"vi": "Khảo sát Nông dân"})
    s_nd.organizations.append(nongdan)
    s_pn = make_survey(db, text_q, code="pn-2025", title={"vi": "Khảo sát Phụ nữ"})
    s_pn.organizations.append(phunu)
    for username, role, fields in (
        ("admin", "admin", {}),
        ("committee", "committee", {}),
        ("inspector", "inspector", {}),
        ("officer", "org_officer", {"organization": nongdan}),
        ("other", "org_officer", {"organization": phunu}),
        ("village", "unit_officer", {"unit": thon1}),
    ):
        make_user(db, username=username, role=role, password=PASSWORD, **fields)
    # Enough answers from both villages to both surveys for the results to show each village,
    # and so for the inbox to name it (survey.responses.suppression).
    db.session.flush()
    for n, (survey, unit) in enumerate(
        (s, u) for s in (s_nd, s_pn) for u in (thon1, thon2) for _ in range(5)
    ):
        db.session.add(
            Response(
                survey_id=survey.id,
                unit_id=unit.id,
                submission_uid=f"uid-{n}",
                answers_digest="x",
                released=True,
            )
        )
    items = {
        "road": add_item(db, nongdan, s_nd, thon1, "Đường vào khu sản xuất xuống cấp.", days=3),
        "water": add_item(db, nongdan, s_nd, thon2, "Mùa khô thiếu nước sinh hoạt.", days=2),
        "loan": add_item(
            db, nongdan, s_nd, thon1, "Vốn vay ưu đãi còn ít (100% hộ nghèo).", days=1
        ),
        "women": add_item(db, phunu, s_pn, thon2, "Chị em mong có tổ tiết kiệm.", days=0),
    }
    db.session.commit()
    return {"items": {k: v.id for k, v in items.items()}}


def add_item(db, organization, survey, unit, text, days=0, **fields):
    item = FeedbackItem(
        organization=organization,
        survey=survey,
        unit=unit,
        text=text,
        received_at=DAY + timedelta(days=days),
        **fields,
    )
    db.session.add(item)
    db.session.flush()
    return item


def get_item(db, item_id):
    db.session.expire_all()
    return db.session.get(FeedbackItem, item_id)


def audit_actions(db):
    return [
        (entry.action, entry.target, entry.details)
        for entry in db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id))
    ]


def post_item(client, item_id, **fields):
    data = {"topic": "", "status": "new", "forwarded_to": "", "public_reply": ""} | fields
    if data.pop("published", False):
        data["published"] = "y"
    return client.post(f"/manage/feedback/{item_id}", data=data)


# --- the list ------------------------------------------------------------------------------


def test_officer_lists_only_its_organization_newest_first(client, login, world):
    login("officer", PASSWORD)
    page = client.get("/manage/feedback/").get_data(as_text=True)
    assert "Chị em mong" not in page  # phunu's item
    positions = [page.index(t) for t in ("Đường vào", "Mùa khô", "Vốn vay")]
    assert positions == sorted(positions)  # newest first
    # The organization filter is the readers'; an officer cannot widen its scope with it.
    page = client.get("/manage/feedback/?org=phunu").get_data(as_text=True)
    assert "Chị em mong" not in page and "Mùa khô" in page


def test_readers_list_every_organization_and_filter_by_it(client, login, world):
    login("committee", PASSWORD)
    page = client.get("/manage/feedback/").get_data(as_text=True)
    assert "Chị em mong" in page and "Mùa khô" in page
    page = client.get("/manage/feedback/?org=phunu").get_data(as_text=True)
    assert "Chị em mong" in page and "Mùa khô" not in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("unit=thon2", ["Mùa khô"], ["Đường vào", "Vốn vay"]),
        ("survey=nd-2025", ["Mùa khô", "Đường vào"], ["Chị em"]),
        ("q=đường", ["Đường vào"], ["Mùa khô", "Vốn vay"]),
        ("q=ĐƯỜNG VÀO", ["Đường vào"], ["Mùa khô"]),  # case-insensitive, Vietnamese letters too
        ("q=duong", [], ["Đường vào"]),  # diacritics count as typed
        ("q=THIẾU NƯỚC", ["Mùa khô"], ["Đường vào"]),
        ("q=100%25", ["Vốn vay"], ["Mùa khô"]),  # % is a character, not a wildcard
        ("q=%25", ["Vốn vay"], ["Mùa khô", "Đường vào"]),
        ("unit=thon1&q=vay", ["Vốn vay"], ["Đường vào"]),
    ],
)
def test_filters_and_search(client, login, world, query, shown, hidden):
    login("admin", PASSWORD)
    page = client.get(f"/manage/feedback/?{query}").get_data(as_text=True)
    for text in shown:
        assert text in page, (query, text)
    for text in hidden:
        assert text not in page, (query, text)


def test_status_and_topic_filters_and_counts(client, login, world, db):
    item = get_item(db, world["items"]["water"])
    item.status, item.topic = "in_progress", "infrastructure"
    db.session.commit()
    login("officer", PASSWORD)
    page = client.get("/manage/feedback/?status=in_progress").get_data(as_text=True)
    assert "Mùa khô" in page and "Đường vào" not in page
    page = client.get("/manage/feedback/?topic=infrastructure").get_data(as_text=True)
    assert "Mùa khô" in page and "Đường vào" not in page
    page = client.get("/manage/feedback/?topic=none").get_data(as_text=True)
    assert "Mùa khô" not in page and "Đường vào" in page
    # Counts per status cover the officer's three items: two new, one in progress.
    page = client.get("/manage/feedback/?lang=en").get_data(as_text=True)
    assert 'New <span class="badge">2</span>' in page
    assert 'In progress <span class="badge">1</span>' in page
    assert 'All <span class="badge">3</span>' in page


def test_list_is_paginated_by_fifty(client, login, world, db):
    nongdan = get_item(db, world["items"]["road"]).organization
    for n in range(52):
        add_item(db, nongdan, None, None, f"Ý kiến số {n:02d}", days=10 + n)
    db.session.commit()
    login("officer", PASSWORD)
    first = client.get("/manage/feedback/?lang=en").get_data(as_text=True)
    assert "Ý kiến số 51" in first and "Đường vào" not in first
    assert "55 items" in first and "page 1 of 2" in first
    second = client.get("/manage/feedback/?lang=en&page=2").get_data(as_text=True)
    assert "Đường vào" in second and "Ý kiến số 51" not in second
    # A page past the end shows the last one rather than an error.
    past = client.get("/manage/feedback/?lang=en&page=99").get_data(as_text=True)
    assert "Đường vào" in past and "page 2 of 2" in past


def test_texts_are_escaped(client, login, world, db):
    item = get_item(db, world["items"]["road"])
    item.text = "<script>alert('x')</script> đường hỏng"
    item.status, item.forwarded_to, item.forwarded_at = "forwarded", "<i>UBND</i>", DAY
    db.session.commit()
    login("officer", PASSWORD)
    for url in ("/manage/feedback/", f"/manage/feedback/{item.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert" in page
    assert "<i>UBND</i>" not in page and "&lt;i&gt;UBND&lt;/i&gt;" in page


# --- scope -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "get", "post"),
    [
        ("officer", 200, 302),
        ("admin", 200, 302),
        ("committee", 200, 403),
        ("inspector", 200, 403),
        ("other", 403, 403),
        ("village", 403, 403),
    ],
)
def test_scope_of_one_item(client, login, world, db, who, get, post):
    item_id = world["items"]["road"]
    login(who, PASSWORD)
    assert client.get(f"/manage/feedback/{item_id}").status_code == get
    assert post_item(client, item_id, status="in_progress").status_code == post
    changed = get_item(db, item_id).status == "in_progress"
    assert changed == (post == 302)


def test_readers_see_no_form(client, login, world):
    login("inspector", PASSWORD)
    page = client.get(f"/manage/feedback/{world['items']['road']}").get_data(as_text=True)
    assert 'name="status"' not in page


def test_missing_item_is_404(client, login, world):
    login("admin", PASSWORD)
    assert client.get("/manage/feedback/99999").status_code == 404


# --- the status flow -------------------------------------------------------------------------


def test_full_flow_records_dates_and_days_to_answer(client, login, world, db):
    item_id = world["items"]["road"]
    login("officer", PASSWORD)
    assert post_item(client, item_id, status="in_progress").status_code == 302
    assert get_item(db, item_id).status == "in_progress"
    sent = post_item(client, item_id, status="forwarded", forwarded_to="UBND xã")
    assert sent.status_code == 302
    item = get_item(db, item_id)
    assert item.status == "forwarded" and item.forwarded_to == "UBND xã"
    assert item.forwarded_at is not None
    sent = post_item(
        client, item_id, status="answered", forwarded_to="UBND xã", public_reply="Xã đã sửa."
    )
    assert sent.status_code == 302
    item = get_item(db, item_id)
    assert item.status == "answered" and item.public_reply == "Xã đã sửa."
    assert item.answered_at is not None and item.forwarded_to == "UBND xã"
    days = (item.answered_at - item.received_at).days
    assert days > 100  # received in June 2025, answered today
    text = f"answered in {days} days"
    assert text in client.get(f"/manage/feedback/{item_id}?lang=en").get_data(as_text=True)
    assert text in client.get("/manage/feedback/?lang=en").get_data(as_text=True)
    answered_at = item.answered_at
    sent = post_item(client, item_id, status="closed", public_reply="Xã đã sửa.")
    assert sent.status_code == 302
    item = get_item(db, item_id)
    assert item.status == "closed" and item.closed_at is not None
    assert item.answered_at == answered_at


def test_answering_at_once_is_allowed(client, login, world, db):
    item_id = world["items"]["road"]
    login("officer", PASSWORD)
    assert (
        post_item(client, item_id, status="answered", public_reply="Đã ghi nhận.").status_code
        == 302
    )
    assert get_item(db, item_id).status == "answered"


@pytest.mark.parametrize(
    ("start", "fields", "message"),
    [
        ("new", {"status": "closed"}, "This step is not possible from the current status."),
        ("new", {"status": "bogus"}, "This step is not possible from the current status."),
        ("forwarded", {"status": "new", "forwarded_to": "UBND xã"}, "not possible"),
        ("answered", {"status": "in_progress", "public_reply": "Đã trả lời."}, "not possible"),
        ("new", {"status": "answered"}, "Write the reply before marking the item answered."),
        ("new", {"status": "answered", "public_reply": "   "}, "Write the reply before marking"),
        ("new", {"status": "forwarded"}, "Write to whom the feedback is forwarded."),
        ("closed", {"status": "answered", "public_reply": "Đã trả lời."}, "A closed item stays"),
        ("closed", {"status": "closed", "public_reply": "Khác đi."}, "reply of a closed item"),
        ("new", {"topic": "weather"}, "Choose one of the topics in the list."),
    ],
)
def test_refused_changes_keep_the_item_and_say_why(
    client, login, world, db, start, fields, message
):
    item_id = world["items"]["road"]
    item = get_item(db, item_id)
    item.status = start
    if start in ("answered", "closed"):
        item.public_reply, item.answered_at = "Đã trả lời.", DAY + timedelta(days=10)
    if start == "forwarded":
        item.forwarded_to = "UBND xã"
    db.session.commit()
    login("officer", PASSWORD)
    sent = client.post(
        f"/manage/feedback/{item_id}?lang=en",
        data={"topic": "", "status": "new", "forwarded_to": "", "public_reply": ""} | fields,
    )
    assert sent.status_code == 422
    page = sent.get_data(as_text=True)
    assert message in page
    assert get_item(db, item_id).status == start
    assert not audit_actions(db)
    # What was typed is kept.
    if fields.get("public_reply", "").strip():
        assert fields["public_reply"] in page


def test_refusals_are_in_vietnamese_by_default(client, login, world):
    login("officer", PASSWORD)
    page = post_item(client, world["items"]["road"], status="closed").get_data(as_text=True)
    assert "Không thể chuyển sang bước này từ trạng thái hiện tại." in page


def test_admin_may_reopen_a_closed_item_officer_may_not(client, login, world, db):
    item_id = world["items"]["road"]
    item = get_item(db, item_id)
    answered = DAY + timedelta(days=10)
    item.status, item.public_reply, item.answered_at = "closed", "Đã trả lời.", answered
    item.closed_at = answered + timedelta(days=1)
    db.session.commit()
    login("officer", PASSWORD)
    assert (
        post_item(client, item_id, status="answered", public_reply="Đã trả lời.").status_code == 422
    )
    client.post("/logout")
    login("admin", PASSWORD)
    sent = post_item(client, item_id, status="answered", public_reply="Trả lời sửa lại.")
    assert sent.status_code == 302
    item = get_item(db, item_id)
    assert item.status == "answered" and item.closed_at is None
    assert item.answered_at == answered  # the time to answer stays the first answer's
    assert item.public_reply == "Trả lời sửa lại."


# --- publication -----------------------------------------------------------------------------


def test_only_answered_items_with_a_reply_are_published(client, login, world, db):
    item_id = world["items"]["road"]
    login("officer", PASSWORD)
    sent = post_item(
        client, item_id, status="in_progress", public_reply="Đang xem xét.", published=True
    )
    assert sent.status_code == 422
    assert "Only an answered or closed item can be published." in client.post(
        f"/manage/feedback/{item_id}?lang=en",
        data={"status": "in_progress", "public_reply": "Đang xem xét.", "published": "y"},
    ).get_data(as_text=True)
    assert not get_item(db, item_id).published
    sent = post_item(
        client, item_id, status="answered", public_reply="Đã sửa đường.", published=True
    )
    assert sent.status_code == 302
    assert get_item(db, item_id).published
    # A published reply cannot be emptied.
    sent = post_item(client, item_id, status="answered", public_reply="", published=True)
    assert sent.status_code == 422 and get_item(db, item_id).public_reply == "Đã sửa đường."
    # Withdrawing is always possible, closed or not.
    assert (
        post_item(
            client, item_id, status="closed", public_reply="Đã sửa đường.", published=True
        ).status_code
        == 302
    )
    sent = post_item(client, item_id, status="closed", public_reply="Đã sửa đường.")
    assert sent.status_code == 302
    item = get_item(db, item_id)
    assert item.status == "closed" and not item.published


# --- audit -----------------------------------------------------------------------------------


def test_every_change_is_audited_with_before_and_after(client, login, world, db):
    item_id = world["items"]["road"]
    login("officer", PASSWORD)
    post_item(client, item_id, topic="infrastructure", status="new")
    post_item(
        client,
        item_id,
        topic="infrastructure",
        status="answered",
        public_reply="Đã sửa.",
        published=True,
    )
    post_item(client, item_id, topic="infrastructure", status="answered", public_reply="Đã sửa.")
    entries = audit_actions(db)
    target = f"feedback:{item_id}"
    assert [action for action, _t, _d in entries] == [
        "feedback.topic",
        "feedback.reply",
        "feedback.status",
        "feedback.publish",
        "feedback.unpublish",
    ]
    assert all(t == target for _a, t, _d in entries)
    details = {action: d for action, _t, d in entries}
    assert details["feedback.topic"]["before"] == {"topic": None}
    assert details["feedback.topic"]["after"] == {"topic": "infrastructure"}
    assert details["feedback.reply"]["after"] == {"public_reply": "Đã sửa."}
    assert details["feedback.status"]["before"]["status"] == "new"
    assert details["feedback.status"]["after"]["status"] == "answered"
    assert details["feedback.status"]["after"]["answered_at"]
    assert details["feedback.publish"]["after"] == {"published": True}
    assert details["feedback.unpublish"]["after"] == {"published": False}
    user = db.session.scalar(
        sa.select(AuditLog.username).where(AuditLog.action == "feedback.topic")
    )
    assert user == "officer"


def test_saving_nothing_new_writes_no_audit(client, login, world, db):
    login("officer", PASSWORD)
    sent = post_item(client, world["items"]["road"], status="new")
    assert sent.status_code == 302
    assert not audit_actions(db)
