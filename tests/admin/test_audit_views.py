"""The audit log viewer: newest first, 50 a page, filters, readable changes, read-only."""

from datetime import datetime, timedelta, timezone

import pytest

from survey.audit.trail import COMMAND_LINE
from survey.models import AuditLog
from tests.factories import make_user

PASSWORD = "a-long-password"
UTC = timezone.utc


def add_entry(db, at, username="vanphong", action="survey.create", target="survey:hl-2025", **d):
    """An entry as survey.audit.record leaves it, at a chosen time."""
    entry = AuditLog(at=at, username=username, action=action, target=target, details=d)
    db.session.add(entry)
    return entry


@pytest.fixture
def inspector(client, db, login):
    """The test client, signed in as the Inspection Committee."""
    make_user(db, username="ubkt", role="inspector", password=PASSWORD)
    db.session.commit()
    assert login("ubkt", PASSWORD).status_code == 302
    return client


@pytest.fixture
def log(db):
    """Entries by two officers and the command line, over two local days."""
    add_entry(
        db,
        datetime(2026, 1, 1, 3, 0, tzinfo=UTC),  # 10:00 on 1 January in Vietnam
        action="survey.create",
        target="survey:hailong-2026",
        after={"title": {"vi": "Hài lòng"}},
    )
    add_entry(
        db,
        datetime(2026, 1, 1, 17, 30, tzinfo=UTC),  # 00:30 on 2 January in Vietnam
        username="nongdan1",
        action="survey.open",
        target="survey:hailong-2026",
        before={"status": "draft"},
        after={"status": "open"},
    )
    add_entry(
        db,
        datetime(2026, 1, 2, 2, 0, tzinfo=UTC),
        username=COMMAND_LINE,
        action="user.create",
        target="user:Phunu1",
        after={"username": "Phunu1", "role": "org_officer", "active": True},
    )
    add_entry(
        db,
        datetime(2026, 1, 3, 2, 0, tzinfo=UTC),
        action="surveyor.note",  # shares "survey" as a string prefix, not as "survey."
        target="note",
        reason="checked",
    )
    db.session.commit()


def shown_actions(page):
    """The actions listed on a page, in order."""
    return [
        line.split(">")[1].split("<")[0] for line in page.split('<code class="audit-action"')[1:]
    ]


def test_entries_newest_first_with_local_time_and_readable_changes(inspector, log):
    page = inspector.get("/manage/audit/").get_data(as_text=True)
    assert shown_actions(page) == ["surveyor.note", "user.create", "survey.open", "survey.create"]
    assert "02/01/2026 00:30" in page  # 17:30 UTC on 1 January
    opened = page.split(">survey.open<")[0].split('<section class="audit-entry">')[-1]
    assert "nongdan1 đã mở khảo sát “survey:hailong-2026” để nhận ý kiến." in opened
    assert '<th scope="row">Trạng thái</th><td>Bản nháp</td><td>Đang mở</td>' in opened
    created = page.split(">user.create<")[0].split('<section class="audit-entry">')[-1]
    assert "Dòng lệnh trên máy chủ đã tạo tài khoản cho Phunu1." in created
    assert "<td>Cán bộ tổ chức, đoàn thể</td>" in created and "<td>có</td>" in created
    note = page.split(">surveyor.note<")[0].split('<section class="audit-entry">')[-1]
    assert "checked" in note  # an action this version does not know, said as it is


def test_admin_reads_the_log_too(client, db, login, log):
    make_user(db, username="vanphong2", role="admin", password=PASSWORD)
    db.session.commit()
    login("vanphong2", PASSWORD)
    assert client.get("/manage/audit/").status_code == 200


def test_filter_by_user(inspector, log):
    page = inspector.get("/manage/audit/?user=nongdan1").get_data(as_text=True)
    assert shown_actions(page) == ["survey.open"]
    page = inspector.get("/manage/audit/", query_string={"user": COMMAND_LINE}).get_data(
        as_text=True
    )
    assert shown_actions(page) == ["user.create"]


def test_filter_by_action_prefix_or_exact(inspector, log):
    prefix = inspector.get("/manage/audit/?action=survey.").get_data(as_text=True)
    assert shown_actions(prefix) == ["survey.open", "survey.create"]
    exact = inspector.get("/manage/audit/?action=survey.open").get_data(as_text=True)
    assert shown_actions(exact) == ["survey.open"]
    assert shown_actions(inspector.get("/manage/audit/?action=survey").get_data(as_text=True)) == []


def test_the_kind_filter_offers_kinds_and_actions_by_name(inspector, log):
    page = inspector.get("/manage/audit/").get_data(as_text=True)
    select = page.split('<select name="action">')[1].split("</select>")[0]
    for value, label in (
        ("survey.", "Khảo sát"),
        ("user.", "Tài khoản"),
        ("survey.open", "— Mở khảo sát"),
        ("user.create", "— Tạo tài khoản"),
        ("evaluation.finalize", "— Chốt xếp loại"),
    ):
        assert f'<option value="{value}">{label}</option>' in select


def test_filter_by_target_text_in_any_case(inspector, log):
    page = inspector.get("/manage/audit/?target=HAILONG").get_data(as_text=True)
    assert shown_actions(page) == ["survey.open", "survey.create"]
    page = inspector.get("/manage/audit/?target=phunu").get_data(as_text=True)
    assert shown_actions(page) == ["user.create"]


def test_target_filter_takes_wildcards_literally(inspector, log):
    assert shown_actions(inspector.get("/manage/audit/?target=%25").get_data(as_text=True)) == []


def test_filter_by_local_dates(inspector, log):
    second = inspector.get("/manage/audit/?date_from=02/01/2026&date_to=2/1/2026")
    assert shown_actions(second.get_data(as_text=True)) == ["user.create", "survey.open"]
    assert 'name="date_to" value="02/01/2026"' in second.get_data(as_text=True)  # day first
    iso = inspector.get("/manage/audit/?date_from=2026-01-02&date_to=2026-01-02")
    assert shown_actions(iso.get_data(as_text=True)) == ["user.create", "survey.open"]
    first = inspector.get("/manage/audit/?date_to=2026-01-01").get_data(as_text=True)
    assert shown_actions(first) == ["survey.create"]
    later = inspector.get("/manage/audit/?date_from=2026-01-03").get_data(as_text=True)
    assert shown_actions(later) == ["surveyor.note"]


@pytest.mark.parametrize(
    "query",
    [
        "date_from=2026-13-01",
        "date_from=31/02/2026",
        "date_from=hôm qua",
        "date_from=03/01/2026&date_to=01/01/2026",
    ],
)
def test_unreadable_or_reversed_dates_are_said_and_other_filters_kept(inspector, log, query):
    page = inspector.get(f"/manage/audit/?{query}&action=survey.").get_data(as_text=True)
    assert "Không đọc được ngày" in page
    assert 'aria-invalid="true"' in page
    assert "surveyor.note" not in shown_actions(page)


def test_fifty_entries_a_page(inspector, db):
    start = datetime(2026, 2, 1, tzinfo=UTC)
    for n in range(51):
        add_entry(db, start + timedelta(minutes=n), target=f"survey:s{n:02d}")
    db.session.commit()
    first = inspector.get("/manage/audit/?action=survey.").get_data(as_text=True)
    assert first.count('class="audit-entry"') == 50
    assert "survey:s50" in first and "survey:s00" not in first
    assert "trang 1/2" in first
    assert 'href="/manage/audit/?page=2&amp;action=survey."' in first
    second = inspector.get("/manage/audit/?page=2&action=survey.").get_data(as_text=True)
    assert second.count('class="audit-entry"') == 1 and "survey:s00" in second


def test_a_page_past_the_end_is_empty_not_an_error(inspector, log):
    response = inspector.get("/manage/audit/?page=9")
    assert response.status_code == 200
    assert "Không có dòng nhật ký nào" in response.get_data(as_text=True)


def test_the_log_is_read_only(app, inspector, log):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/manage/audit"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
    assert inspector.post("/manage/audit/").status_code == 405
    page = inspector.get("/manage/audit/").get_data(as_text=True)
    assert 'method="post"' not in page.split('<main id="main"')[1].split("</main>")[0]
