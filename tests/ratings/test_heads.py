"""The heads' rating (Nghị quyết III.7): recorded by the organization, proposed the
organization's tier, decided by the committee (above it only with a reason), finalized with it."""

import pytest
import sqlalchemy as sa

from survey.models import AuditLog, Evaluation, OrganizationHead
from tests.factories import make_indicator, make_organization, make_user

PASSWORD = "a-long-password"


@pytest.fixture
def commune(db):
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", position=1)
    make_indicator(db, nongdan, activities_held=9)  # hoàn thành
    make_user(db, username="vanphong", role="admin")
    make_user(db, username="thuongtruc", role="committee", full_name="Trần Văn Hùng")
    make_user(db, username="ubkt", role="inspector")
    make_user(db, username="hoind", role="org_officer", organization=nongdan)
    other = make_organization(db, code="phunu", name="Hội Phụ nữ xã", position=2)
    make_user(db, username="hoipn", role="org_officer", organization=other)
    db.session.commit()
    return nongdan


URL = "/manage/ratings/2025/nongdan/heads"


def add(client, name="Phạm Văn Thành", position="Chủ tịch"):
    return client.post(URL, data={"name": name, "position": position})


def head_id(db):
    return db.session.scalar(sa.select(OrganizationHead.id))


@pytest.mark.parametrize(
    ("username", "status"),
    [("hoind", 302), ("vanphong", 302), ("thuongtruc", 403), ("hoipn", 403), ("ubkt", 403)],
)
def test_the_organization_or_the_office_records_its_heads(client, login, commune, username, status):
    login(username, PASSWORD)
    assert add(client).status_code == status


def test_a_head_is_proposed_the_organizations_tier_and_above_it_needs_a_reason(
    client, db, login, commune
):
    login("hoind", PASSWORD)
    add(client)
    add(client, "Nguyễn Thị Hoa", "Phó Chủ tịch")
    refused = add(client, "", "")
    assert refused.status_code == 422 and "ghi họ và tên" in refused.get_data(as_text=True)
    assert client.post(f"{URL}/{head_id(db)}/decide", data={"h1-tier": "tot"}).status_code == 403

    login("thuongtruc", PASSWORD)
    page = client.get(URL).get_data(as_text=True)
    assert "Phạm Văn Thành" in page and page.count("Hoàn thành nhiệm vụ") >= 2  # proposed
    first = head_id(db)
    above = client.post(f"{URL}/{first}/decide", data={f"h{first}-tier": "tot"})
    assert above.status_code == 422 and "cao hơn mức của tổ chức" in above.get_data(as_text=True)
    assert db.session.get(OrganizationHead, first).decided_tier is None
    same = client.post(f"{URL}/{first}/decide", data={f"h{first}-tier": "hoan_thanh"})
    assert same.status_code == 302
    reason = "Trực tiếp chỉ đạo mô hình kinh tế tập thể."
    client.post(
        f"{URL}/{first + 1}/decide",
        data={f"h{first + 1}-tier": "tot", f"h{first + 1}-reason": reason},
    )
    document = client.get("/api/v1/evaluations/2025").get_json()
    heads = document["organizations"][0]["heads"]
    assert [(h["name"], h["proposed_tier"], h["tier"]) for h in heads] == [
        ("Phạm Văn Thành", "hoan_thanh", "hoan_thanh"),
        ("Nguyễn Thị Hoa", "hoan_thanh", "tot"),
    ]
    assert heads[1]["reason"] == reason and heads[1]["by"] == "Trần Văn Hùng"
    steps = client.get("/manage/ratings/2025").get_data(as_text=True)
    assert "Nguyễn Thị Hoa (Phó Chủ tịch): Hoàn thành tốt nhiệm vụ" in steps
    assert "Phó Chủ tịch Nguyễn Thị Hoa: Hoàn thành tốt nhiệm vụ." in client.get(
        "/dashboard/report/2025.html"
    ).get_data(as_text=True)

    # Finalized with the organization: the snapshot keeps them, recording closes.
    client.post("/manage/ratings/2025/finalize", data={"confirm": "y"})
    snapshot = db.session.scalar(sa.select(Evaluation))
    assert [h["tier"] for h in snapshot.details["vi"]["heads"]] == ["hoan_thanh", "tot"]
    login("hoind", PASSWORD)
    closed = add(client, "Lê Văn Ba", "Phó Chủ tịch")
    assert closed.status_code == 422 and "đã được chốt" in closed.get_data(as_text=True)
    actions = [a for a in db.session.scalars(sa.select(AuditLog.action)) if a.startswith("head.")]
    assert actions.count("head.add") == 2 and actions.count("head.decide") == 2
    login("vanphong", PASSWORD)
    log = client.get("/manage/audit/?action=head.").get_data(as_text=True)
    assert "đã quyết định xếp loại năm 2025 của Nguyễn Thị Hoa (Hội Nông dân xã)" in log
