"""The public "you said, we did" page: published replies only, escaped, small villages unnamed."""

from datetime import datetime, timedelta, timezone
from itertools import count

import pytest
import sqlalchemy as sa

from survey.models import FeedbackItem, ReceiptCode, Response
from tests.factories import make_organization, make_survey, make_unit

DAY = datetime(2025, 6, 1, 8, 0, tzinfo=timezone.utc)
_receipts = count(1)


@pytest.fixture
def world(db):
    """Villages big (8 responses), middle (6) and small (4); published and unpublished items.

    The survey's results hide the small village, and the middle one with it (the smallest
    other village, which would give the small one away from the total)."""
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", short_name="Nông dân")
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ xã", short_name="Phụ nữ")
    big = make_unit(db, code="thon-lon", name="Thôn Lớn")
    small = make_unit(db, code="lang-nho", name="Làng Nhỏ")
    middle = make_unit(db, code="thon-giua", name="Thôn Giữa")
    survey = make_survey(db, [{"code": "y", "kind": "text", "feedback": True}], code="nd-2025")
    survey.organizations.append(nongdan)
    other = make_survey(db, code="pn-2025")
    other.organizations.append(phunu)
    add_responses(db, survey, big, 8)
    add_responses(db, survey, middle, 6)
    add_responses(db, survey, small, 4)
    add_responses(db, other, small, 9)  # counted per survey: not enough for `survey` above
    items = {
        "big": publish(db, nongdan, survey, big, "Đường thôn Lớn hỏng.", "Đã sửa đường.", 1),
        "small": publish(db, nongdan, survey, small, "Làng Nhỏ thiếu nước.", "Đã khoan giếng.", 2),
        "women": publish(db, phunu, other, small, "Chị em cần tổ vay vốn.", "Đã lập tổ.", 3),
        "middle": publish(db, nongdan, survey, middle, "Cầu Thôn Giữa yếu.", "Đã gia cố.", 0),
    }
    db.session.add(
        FeedbackItem(
            organization=nongdan,
            survey=survey,
            unit=big,
            text="Ý kiến chưa công khai.",
            status="answered",
            public_reply="Trả lời nội bộ.",
            answered_at=DAY,
            received_at=DAY,
        )
    )
    db.session.commit()
    return items


def add_responses(db, survey, unit, n):
    for _ in range(n):
        number = next(_receipts)
        db.session.add(
            Response(
                survey=survey,
                unit=unit,
                submission_uid=f"uid-{number}",
                answers_digest="x",
                released=True,  # counted long ago (survey.responses.release)
            )
        )
        db.session.add(ReceiptCode(code=f"R{number:07d}", survey_id=survey.id))
    db.session.flush()


def publish(db, organization, survey, unit, text, reply, days):
    item = FeedbackItem(
        organization=organization,
        survey=survey,
        unit=unit,
        text=text,
        status="answered",
        public_reply=reply,
        published=True,
        received_at=DAY + timedelta(days=days),
        answered_at=DAY + timedelta(days=days + 10),
    )
    db.session.add(item)
    db.session.flush()
    return item


def test_lists_published_replies_only_newest_first(client, world):
    page = client.get("/feedback").get_data(as_text=True)
    assert "Ý kiến của dân và trả lời" in page
    assert "Ý kiến chưa công khai." not in page and "Trả lời nội bộ." not in page
    for text in ("Đường thôn Lớn hỏng.", "Đã sửa đường.", "Đã khoan giếng.", "Đã lập tổ."):
        assert text in page
    assert page.index("Đã lập tổ.") < page.index("Đã khoan giếng.") < page.index("Đã sửa đường.")
    # Both dates, the day only.
    assert "02/06/2025" in page and "12/06/2025" in page
    assert "Hội Nông dân xã" in page


def test_a_small_village_is_not_named(client, world):
    page = client.get("/feedback").get_data(as_text=True)
    assert "Hội Nông dân xã · Thôn Lớn" in page
    # Làng Nhỏ gave 4 responses to the survey: its item shows the organization only.
    card = page[page.index("Hội Nông dân xã", page.index("Đã lập tổ.")) :]
    card = card[: card.index("Làng Nhỏ thiếu nước.")]
    assert "Hội Nông dân xã" in card and "Làng Nhỏ" not in card
    # The same village gave 9 responses to the Women's Union survey: named there.
    assert "Hội Phụ nữ xã · Làng Nhỏ" in page
    # Thôn Giữa gave 6, but naming it would give Làng Nhỏ's count away, as the exports know.
    assert "Cầu Thôn Giữa yếu." in page and "Hội Nông dân xã · Thôn Giữa" not in page


def test_the_village_filter_does_not_reveal_a_small_village(client, world):
    page = client.get("/feedback?unit=lang-nho").get_data(as_text=True)
    assert "Làng Nhỏ thiếu nước." not in page and "Chị em cần tổ vay vốn." in page
    page = client.get("/feedback?unit=thon-lon").get_data(as_text=True)
    assert "Đường thôn Lớn hỏng." in page and "Làng Nhỏ thiếu nước." not in page
    page = client.get("/feedback?unit=thon-giua").get_data(as_text=True)
    assert "Cầu Thôn Giữa yếu." not in page


def test_the_threshold_follows_the_configuration(make_app, world):
    app = make_app(SUPPRESSION_K=4)
    page = app.test_client().get("/feedback?unit=lang-nho").get_data(as_text=True)
    assert "Làng Nhỏ thiếu nước." in page and "Hội Nông dân xã · Làng Nhỏ" in page
    assert "Hội Nông dân xã · Thôn Giữa" in app.test_client().get("/feedback").get_data(
        as_text=True
    )


def test_organization_filter(client, world):
    page = client.get("/feedback?org=phunu").get_data(as_text=True)
    assert "Chị em cần tổ vay vốn." in page and "Đường thôn Lớn hỏng." not in page


def test_texts_are_escaped(client, world, db):
    item = db.session.get(FeedbackItem, world["big"].id)
    item.text = "<script>alert(1)</script>"
    item.public_reply = "<b>Đã sửa</b>"
    db.session.commit()
    page = client.get("/feedback").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Đã sửa</b>" not in page and "&lt;b&gt;Đã sửa&lt;/b&gt;" in page


def test_english_and_empty(client, db):
    page = client.get("/feedback?lang=en").get_data(as_text=True)
    assert "People's feedback and replies" in page
    assert "No reply has been published yet." in page


def test_pages(client, world, db):
    organization = world["big"].organization
    for n in range(25):
        publish(db, organization, None, None, f"Ý kiến số {n:02d}", "Đã trả lời.", 20 + n)
    db.session.commit()
    first = client.get("/feedback?lang=en").get_data(as_text=True)
    assert "Ý kiến số 24" in first and "page 1 of 2" in first and "Đường thôn Lớn" not in first
    second = client.get("/feedback?lang=en&page=2").get_data(as_text=True)
    assert "Đường thôn Lớn hỏng." in second and "Ý kiến số 24" not in second
    assert client.get("/feedback?page=abc").status_code == 200


def test_thank_you_page_and_poster_link_here(client, world, db):
    from survey.models import Survey

    survey = db.session.get(Survey, world["big"].survey_id)
    survey.status = "open"
    db.session.commit()
    receipt = db.session.scalar(
        sa.select(ReceiptCode.code).where(ReceiptCode.survey_id == survey.id)
    )
    done = client.get(f"/s/{survey.code}/done/{receipt}").get_data(as_text=True)
    assert 'href="/feedback"' in done
    poster = client.get(f"/s/{survey.code}/poster").get_data(as_text=True)
    assert "http://survey.test/feedback" in poster


def test_the_hidden_villages_are_kept_not_grouped_on_every_visit(client, world, monkeypatch):
    """Grouping every response by survey and village, on every anonymous visit: done once
    while the data stay the same, whichever filter or page is asked for."""
    from survey.feedback import replies

    calls = []
    real = replies._hidden_villages

    def counted(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(replies, "_hidden_villages", counted)
    for query in ("", "?unit=thon-lon", "?org=phunu", "?page=2", "?unit=lang-nho&org=nongdan"):
        assert client.get(f"/feedback{query}").status_code == 200
    assert len(calls) == 1


def test_while_the_sizes_are_first_computed_the_page_says_so(make_app, world):
    from tests.ratings.test_kept_figures import wait_for_refreshes

    client = make_app(AGGREGATE_REFRESH="background").test_client()
    waiting = client.get("/feedback")
    assert waiting.status_code == 202 and waiting.headers["Retry-After"] == "5"
    assert "Đang tính số liệu" in waiting.get_data(as_text=True)
    wait_for_refreshes()
    assert "Đã sửa đường." in client.get("/feedback").get_data(as_text=True)


def test_anonymous_visits_to_the_page_are_rate_limited(make_app, db, world):
    from tests.factories import make_user

    app = make_app(RATELIMIT_ENABLED=True, PUBLIC_PAGE_RATE_LIMIT="2 per minute")
    client = app.test_client()
    assert [client.get("/feedback").status_code for _ in range(3)] == [200, 200, 429]
    assert "Xin chờ một phút rồi mở lại trang" in client.get("/feedback").get_data(as_text=True)
    # An officer reading the page is not counted.
    make_user(db, username="vanphong", password="a-long-password")
    db.session.commit()
    officer = app.test_client()
    assert (
        officer.post(
            "/login", data={"username": "vanphong", "password": "a-long-password"}
        ).status_code
        == 302
    )
    assert [officer.get("/feedback").status_code for _ in range(4)] == [200] * 4
