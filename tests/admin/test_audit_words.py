"""The audit log in words: each entry a sentence with the person's name and role, names instead
of codes, labels for tiers, statuses and fields, commune time; the raw record one click away;
the filters in words too."""

import re
from datetime import datetime, timezone

import pytest

from survey.models import AuditLog, FeedbackItem
from tests.factories import make_organization, make_survey, make_unit, make_user

PASSWORD = "a-long-password"
UTC = timezone.utc
CODES = (
    "evaluation.finalize",
    "feedback.status",
    "nongdan",
    "hoan_thanh",
    "in_progress",
    "org_officer",
    "hailong-2025",
    "ks-hl",
    "thon1",
)


@pytest.fixture
def log(db):
    """Entries as the services leave them (their targets and details), by a named officer."""
    org = make_organization(db, code="nongdan", name="Hội Nông dân xã")
    make_unit(db, code="thon1", name="Thôn Một")
    make_survey(db, code="hailong-2025", title={"vi": "Khảo sát hài lòng 2025"})
    make_user(db, username="vanphong", role="admin", password=PASSWORD, full_name="Nguyễn Văn A")
    make_user(db, username="ubkt", role="inspector", password=PASSWORD, full_name="Lê Minh Tâm")
    item = FeedbackItem(
        organization=org, text="Đường xấu.", received_at=datetime(2025, 3, 1, tzinfo=UTC)
    )
    db.session.add(item)
    db.session.flush()
    entries = [
        (
            "evaluation.finalize",
            "nongdan/2025",
            {"before": {}, "after": {"score": 71.5, "tier": "hoan_thanh"}},
        ),
        (
            "feedback.status",
            f"feedback:{item.id}",
            {
                "before": {"status": "new", "answered_at": None},
                "after": {"status": "in_progress", "answered_at": "2025-03-04T02:00:00+00:00"},
            },
        ),
        (
            "survey.open",
            "hailong-2025",
            {"before": {"status": "draft"}, "after": {"status": "open"}},
        ),
        (
            "question.update",
            "hailong-2025/ks-hl",
            {
                "before": {"text": {"vi": "Hài lòng không?"}, "criterion": "satisfaction"},
                "after": {"text": {"vi": "Bà con hài lòng không?"}, "criterion": "satisfaction"},
            },
        ),
        (
            "user.update",
            "user:ubkt",
            {
                "before": {"role": "org_officer", "organization": "nongdan"},
                "after": {"role": "inspector", "organization": None},
            },
        ),
        (
            "unit.update",
            "unit:thon1",
            {"before": {"name": "Thôn 1"}, "after": {"name": "Thôn Một"}},
        ),
    ]
    for n, (action, target, details) in enumerate(entries):
        db.session.add(
            AuditLog(
                at=datetime(2026, 1, 5, 1, n, tzinfo=UTC),
                username="vanphong",
                action=action,
                target=target,
                details=details,
            )
        )
    db.session.commit()


def outside_details(html):
    return re.sub(r"<details.*?</details>", "", html, flags=re.S)


def test_entries_read_as_sentences_with_names_and_labels(client, login, log):
    login("ubkt", PASSWORD)
    html = client.get("/manage/audit/").get_data(as_text=True)
    text = outside_details(html)
    who = "Nguyễn Văn A (Văn phòng Đảng ủy)"
    assert f"{who} đã chốt xếp loại năm 2025 của Hội Nông dân xã: Hoàn thành nhiệm vụ." in text
    assert f"{who} đã chuyển một ý kiến gửi Hội Nông dân xã sang “Đang xử lý”." in text
    assert f"{who} đã mở khảo sát “Khảo sát hài lòng 2025” để nhận ý kiến." in text
    assert (
        f"{who} đã sửa câu hỏi “Bà con hài lòng không?” của khảo sát “Khảo sát hài lòng 2025”."
        in text
    )
    assert f"{who} đã sửa tài khoản của Lê Minh Tâm (Ủy ban Kiểm tra Đảng ủy)." in text
    assert f"{who} đã sửa thông tin thôn, làng Thôn Một." in text
    # Before -> after with labels: tier, status, role, organization, local time.
    assert '<th scope="row">Xếp loại</th><td>—</td><td>Hoàn thành nhiệm vụ</td>' in text
    assert '<th scope="row">Trạng thái</th><td>Mới</td><td>Đang xử lý</td>' in text
    assert "<td>04/03/2025 09:00</td>" in text  # 02:00 UTC, in the commune's time
    assert "<td>Cán bộ tổ chức, đoàn thể</td><td>Ủy ban Kiểm tra Đảng ủy</td>" in text
    assert "<td>Hội Nông dân xã</td><td>—</td>" in text
    assert "05/01/2026 08:00" in text  # the entry's own time, local
    shown = re.sub(r"<[^>]+>", " ", text)  # what the page says (attributes are not read)
    for code in CODES:  # no code outside the collapsed raw record
        assert re.search(rf"(?<![\w/.-]){re.escape(code)}(?![\w-])", shown) is None, code
    # The raw record is there, collapsed.
    raw = html[html.index('<details class="raw-record">') :]
    assert "evaluation.finalize" in raw and "hoan_thanh" in raw


def test_the_filters_speak_in_names(client, login, log):
    login("ubkt", PASSWORD)
    html = client.get("/manage/audit/").get_data(as_text=True)
    people = html.split('<select name="user">')[1].split("</select>")[0]
    assert '<option value="vanphong">Nguyễn Văn A (Văn phòng Đảng ủy)</option>' in people
    finalized = client.get("/manage/audit/?action=evaluation.").get_data(as_text=True)
    assert outside_details(finalized).count("đã chốt xếp loại") == 1
    assert "đã mở khảo sát" not in finalized
