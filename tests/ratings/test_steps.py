"""The year's steps: self-assessment, review, the committee's decision with its reason, and
finalization keeping the decided tier; each step by the roles that may take it."""

import pytest
import sqlalchemy as sa

from survey.models import AuditLog, Evaluation, YearAssessment
from tests.factories import make_indicator, make_organization, make_user

PASSWORD = "a-long-password"


@pytest.fixture
def commune(db):
    front = make_organization(db, code="mttq", name="Ủy ban MTTQ xã", position=0, is_front=True)
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", position=1)
    make_indicator(db, front)
    make_indicator(db, nongdan, activities_held=9)  # a key target missed: hoàn thành
    make_user(db, username="vanphong", role="admin", full_name="Nguyễn Thị Lan")
    make_user(db, username="thuongtruc", role="committee", full_name="Trần Văn Hùng")
    make_user(db, username="ubkt", role="inspector")
    make_user(db, username="hoind", role="org_officer", organization=nongdan, full_name="Lê An")
    make_user(db, username="mattran", role="org_officer", organization=front, full_name="Hà Bình")
    db.session.commit()
    return {"front": front, "nongdan": nongdan}


SELF = {
    "strengths": "Phát triển hội viên vượt chỉ tiêu.",
    "limitations": "Sinh hoạt chưa đều.",
    "causes": "Mùa vụ.",
    "remedies": "Họp theo cụm.",
    "proposed_tier": "tot",
}


def entry(client, code="nongdan"):
    document = client.get("/api/v1/evaluations/2025").get_json()
    return next(o for o in document["organizations"] if o["org"] == code)


@pytest.mark.parametrize(
    ("username", "status"),
    [("hoind", 302), ("vanphong", 302), ("mattran", 403), ("thuongtruc", 403), ("ubkt", 403)],
)
def test_the_self_assessment_is_its_own_officers_or_the_offices(
    client, login, commune, username, status
):
    login(username, PASSWORD)
    assert client.post("/manage/ratings/2025/nongdan/self", data=SELF).status_code == status


@pytest.mark.parametrize(
    ("username", "code", "status"),
    [
        ("mattran", "nongdan", 302),  # the Front reviews an affiliated organization
        ("mattran", "mttq", 403),  # not itself: the office does
        ("vanphong", "mttq", 302),
        ("hoind", "nongdan", 403),
        ("thuongtruc", "nongdan", 403),
    ],
)
def test_the_review_is_the_fronts_or_the_offices(client, login, commune, username, code, status):
    login(username, PASSWORD)
    sent = client.post(f"/manage/ratings/2025/{code}/review", data={"review": "Đồng ý."})
    assert sent.status_code == status


@pytest.mark.parametrize(
    ("username", "status"), [("thuongtruc", 302), ("vanphong", 302), ("hoind", 403), ("ubkt", 403)]
)
def test_the_decision_is_the_committees(client, login, commune, username, status):
    login(username, PASSWORD)
    sent = client.post("/manage/ratings/2025/nongdan/decide", data={"tier": "hoan_thanh"})
    assert sent.status_code == status


def test_the_steps_in_order_and_an_adjustment_shown_everywhere(client, db, login, commune):
    login("hoind", PASSWORD)
    client.post("/manage/ratings/2025/nongdan/self", data=SELF)
    login("mattran", PASSWORD)
    client.post("/manage/ratings/2025/nongdan/review", data={"review": "Nhất trí đề xuất."})
    login("thuongtruc", PASSWORD)
    computed = entry(client)
    assert computed["tier"] == "hoan_thanh" and computed["decided"] is False
    assert computed["self_assessment"]["proposed_tier"] == "tot"
    assert computed["review"]["by"] == "Hà Bình"

    # Another tier without a reason is refused, and nothing is saved.
    refused = client.post("/manage/ratings/2025/nongdan/decide", data={"tier": "tot"})
    assert refused.status_code == 422 and "Xin ghi lý do" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(YearAssessment.decided_tier)) is None

    reason = "Hoàn thành xuất sắc nhiệm vụ đột xuất phòng chống bão."
    client.post("/manage/ratings/2025/nongdan/decide", data={"tier": "tot", "reason": reason})
    decided = entry(client)
    assert (decided["computed_tier"], decided["tier"]) == ("hoan_thanh", "tot")
    assert decided["tier_label"] == "Hoàn thành tốt nhiệm vụ"
    assert decided["adjustment"]["reason"] == reason
    assert decided["adjustment"]["by"] == "Trần Văn Hùng"
    page = client.get("/manage/ratings/2025").get_data(as_text=True)
    assert "thay cho mức tính toán Hoàn thành nhiệm vụ; lý do: " + reason in page
    assert "Lê An viết lúc" in page and "tự đề xuất: Hoàn thành tốt nhiệm vụ" in page
    dashboard = client.get("/dashboard/?year=2025").get_data(as_text=True)
    assert "quyết định khác mức tính toán Hoàn thành nhiệm vụ" in dashboard
    report = client.get("/dashboard/report/2025.html").get_data(as_text=True)
    assert "Ban Thường vụ quyết định: Hoàn thành tốt nhiệm vụ. Lý do: " + reason in report
    assert "f) Tự đánh giá của tổ chức và ý kiến thẩm định" in report
    assert "Hạn chế, khuyết điểm: Sinh hoạt chưa đều." in report
    assert "Ý kiến thẩm định: Nhất trí đề xuất." in report
    confirm = client.get("/manage/ratings/2025/finalize").get_data(as_text=True)
    assert "quyết định Hoàn thành tốt nhiệm vụ thay cho mức tính toán" in confirm
    assert "Chưa có bản tự đánh giá: Ủy ban MTTQ xã" in confirm

    # Finalizing keeps the decided tier; the steps close; a re-rating needs its reason.
    client.post("/manage/ratings/2025/finalize", data={"confirm": "y"})
    tiers = dict(db.session.execute(sa.select(Evaluation.organization_id, Evaluation.tier)).all())
    assert tiers[commune["nongdan"].id] == "tot"
    assert entry(client)["adjustment"]["reason"] == reason  # the snapshot keeps it
    login("hoind", PASSWORD)
    closed = client.post("/manage/ratings/2025/nongdan/self", data=SELF)
    assert closed.status_code == 422 and "đã được chốt" in closed.get_data(as_text=True)
    login("thuongtruc", PASSWORD)
    again = client.post("/manage/ratings/2025/nongdan/decide", data={"tier": "tot"})
    assert again.status_code == 422  # re-rating a finalized year needs a reason
    client.post(
        "/manage/ratings/2025/nongdan/decide",
        data={"tier": "hoan_thanh", "reason": "Cấp trên xếp loại lại."},
    )
    assert "đã xếp loại lại sau đó: cần chốt lại" in client.get("/manage/ratings/2025").get_data(
        as_text=True
    )
    actions = set(db.session.scalars(sa.select(AuditLog.action)))
    assert {"evaluation.self", "evaluation.review", "evaluation.decide"} <= actions


def test_a_re_rating_after_finalization_keeps_the_replaced_snapshot(client, db, login, commune):
    login("thuongtruc", PASSWORD)
    first = "Hoàn thành xuất sắc nhiệm vụ đột xuất phòng chống bão."
    client.post("/manage/ratings/2025/nongdan/decide", data={"tier": "tot", "reason": first})
    assert client.post("/manage/ratings/2025/finalize", data={"confirm": "y"}).status_code == 302

    def snapshot_tier():
        return db.session.scalar(
            sa.select(Evaluation.tier).where(Evaluation.organization_id == commune["nongdan"].id)
        )

    assert snapshot_tier() == "tot"
    # The superior committee re-rates: with its reason; it counts once finalized again.
    again = "Cấp trên xếp loại lại theo kết luận kiểm tra."
    client.post("/manage/ratings/2025/nongdan/decide", data={"tier": "hoan_thanh", "reason": again})
    assert snapshot_tier() == "tot" and entry(client)["decision_pending"] is True
    refused = client.post("/manage/ratings/2025/finalize", data={"confirm": "y"})
    assert refused.status_code == 422 and snapshot_tier() == "tot"
    finalized = client.post(
        "/manage/ratings/2025/finalize", data={"confirm": "y", "reason": "Xếp loại lại."}
    )
    assert finalized.status_code == 302 and snapshot_tier() == "hoan_thanh"
    log = db.session.scalar(
        sa.select(AuditLog).where(
            AuditLog.action == "evaluation.refinalize", AuditLog.target == "nongdan/2025"
        )
    )
    assert log.details["replaced"]["tier"] == "tot"  # the replaced snapshot, whole
    assert log.details["replaced"]["adjustment"]["reason"] == first
    assert log.details["after"]["tier"] == "hoan_thanh"
    assert entry(client)["adjustment"]["reason"] == again
