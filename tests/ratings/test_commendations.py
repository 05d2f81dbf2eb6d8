"""Commendations (Nghị quyết IV.2): the rule set's shortlist from the decided ratings, on
hand-made data; the list drawn up by the Youth Union's officers or the office, confirmed, and
given in the report."""

import pytest
import sqlalchemy as sa

from analytics import shortlist
from survey.models import AuditLog, Commendation
from tests.factories import make_indicator, make_organization, make_user

PASSWORD = "a-long-password"


def org(code, tier, satisfaction=None, heads=()):
    criteria = (
        [{"code": "satisfaction", "status": "met", "value": satisfaction}]
        if satisfaction is not None
        else []
    )
    return {"org": code, "tier": tier, "score": 92.0, "criteria": criteria, "heads": list(heads)}


def test_the_shortlist_on_hand_made_ratings():
    this_year = [
        org("a", "xuat_sac"),
        org("b", "tot", 0.81),
        org("c", "tot", 0.70),  # good twice, but satisfaction fell
        org("d", "tot", 0.90),  # good now, only "hoàn thành" last year
        org("e", "hoan_thanh", heads=[{"name": "Lê Văn Tư", "decided": True, "tier": "xuat_sac"}]),
        {"org": "f", "tier": "chua_du_can_cu", "rated": False, "criteria": []},
    ]
    last_year = {
        "b": org("b", "xuat_sac", 0.75),
        "c": org("c", "tot", 0.72),
        "d": org("d", "hoan_thanh", 0.60),
    }
    found = [(p.organization, p.ground, p.head) for p in shortlist(this_year, last_year)]
    assert found == [
        ("a", "excellent", None),
        ("b", "good_and_rising", None),
        ("e", "head_excellent", "Lê Văn Tư"),
    ]
    rising = shortlist(this_year, last_year)[1]
    assert rising.evidence == {"satisfaction": 0.81, "satisfaction_before": 0.75}
    assert [p.ground for p in shortlist(this_year, last_year, excellent=False)] == [
        "good_and_rising",
        "head_excellent",
    ]


@pytest.fixture
def commune(db):
    youth = make_organization(
        db, code="doan", name="Đoàn Thanh niên xã", position=1, leads_commendations=True
    )
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", position=2)
    make_indicator(db, youth)
    make_indicator(db, nongdan)
    make_user(db, username="vanphong", role="admin")
    make_user(db, username="thuongtruc", role="committee")
    make_user(db, username="bithu", role="org_officer", organization=youth, full_name="Vũ Minh")
    make_user(db, username="hoind", role="org_officer", organization=nongdan)
    db.session.commit()
    return nongdan


URL = "/manage/ratings/2025/commendations"
ENTRY = {
    "organization": "nongdan",
    "head_name": "",
    "ground": "other",
    "note": "Mô hình tổ hợp tác.",
}


@pytest.mark.parametrize(
    ("username", "read", "write"),
    [("bithu", 200, 302), ("vanphong", 200, 302), ("thuongtruc", 200, 403), ("hoind", 403, 403)],
)
def test_who_reads_and_draws_up_the_list(client, login, commune, username, read, write):
    login(username, PASSWORD)
    assert client.get(URL).status_code == read
    assert client.post(URL, data=ENTRY).status_code == write


def test_the_list_is_drawn_up_confirmed_and_reported(client, db, login, commune):
    login("bithu", PASSWORD)
    page = client.get(URL).get_data(as_text=True)
    assert "Đề xuất theo bộ tiêu chí" in page
    client.post(URL, data=ENTRY)
    entry = db.session.scalar(sa.select(Commendation))
    assert (entry.organization_id, entry.ground) == (commune.id, "other")
    client.post(f"{URL}/confirm")
    assert db.session.scalar(sa.select(Commendation.confirmed_at)) is not None
    login("thuongtruc", PASSWORD)
    report = client.get("/dashboard/report/2025.html").get_data(as_text=True)
    assert "IV. ĐỀ XUẤT KHEN THƯỞNG" in report and "Mô hình tổ hợp tác." in report
    assert "Danh sách đã được người đề xuất xác nhận." in report
    # A change asks for confirming again.
    login("vanphong", PASSWORD)
    client.post(URL, data=ENTRY | {"head_name": "Phạm Văn Thành", "ground": "other"})
    assert db.session.scalars(sa.select(Commendation.confirmed_at)).all() == [None, None]
    client.post(f"{URL}/{entry.id}/remove")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commendation)) == 1
    actions = set(db.session.scalars(sa.select(AuditLog.action)))
    assert {"commendation.add", "commendation.confirm", "commendation.remove"} <= actions
    log = client.get("/manage/audit/?action=commendation.").get_data(as_text=True)
    assert "đã đưa Hội Nông dân xã vào danh sách đề xuất khen thưởng năm 2025" in log
    assert "Thành tích khác trong thực hiện Nghị quyết" in log
