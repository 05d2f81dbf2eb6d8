"""Annual figures in the workspace: the list, the form and its checks, vetoes, the history."""

import re

import pytest
import sqlalchemy as sa

from survey.core.extensions import db as _db
from survey.core.local_time import current_year
from survey.models import AnnualIndicator, AuditLog, User
from tests.factories import make_organization, make_user

PASSWORD = "a-long-password"
URL = "/manage/indicators/nongdan/2025"

# Held/done may exceed required/planned, new members their target, attendance its target.
VALID = {
    "members_start": "120",
    "members_end": "130",
    "new_members": "15",
    "new_members_target": "12",
    "activities_required": "12",
    "activities_held": "13",
    "attendance_rate": "72,5",
    "attendance_target": "70",
    "campaign_members": "80",
    "supervision_planned": "4",
    "supervision_done": "5",
    "recommendations_issued": "6",
    "recommendations_answered": "6",
    "dialogues_planned": "2",
    "dialogues_held": "3",
    "shortcomings_identified": "3",
    "shortcomings_remedied": "2",
    "members_disciplined": "0",
    "note": "Số liệu chốt ngày 31/12",
}


@pytest.fixture
def world(db):
    own = make_organization(db, code="nongdan", name="Hội Nông dân xã", position=1)
    other = make_organization(db, code="phunu", name="Hội Liên hiệp Phụ nữ xã", position=2)
    make_user(db, username="vanphong", role="admin", full_name="Nguyễn Thị Lan")
    make_user(db, username="thuongtruc", role="committee", full_name="Trần Văn Bình")
    make_user(db, username="ubkt", role="inspector")
    make_user(db, username="hoind", role="org_officer", organization=own, full_name="Phạm Văn An")
    make_user(db, username="hoipn", role="org_officer", organization=other)
    db.session.commit()
    return own, other


def stored(year=2025, code="nongdan"):
    _db.session.expire_all()
    return _db.session.scalar(
        sa.select(AnnualIndicator)
        .join(AnnualIndicator.organization)
        .where(AnnualIndicator.year == year)
        .where(sa.text("organization.code = :code").bindparams(code=code))
    )


def audit_entries():
    _db.session.expire_all()
    return _db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id)).all()


def field_block(html, name):
    """The HTML of one figure: its label, input, hint and errors."""
    start = html.rindex('<div class="figure', 0, html.index(f'id="{name}"'))
    return html[start : html.index("</div>", start)]


def test_an_officer_enters_the_figures_as_percentages(client, login, world):
    login("hoind", PASSWORD)
    response = client.post(URL, data=VALID)
    assert response.status_code == 302
    row = stored()
    assert row.attendance_rate == pytest.approx(0.725)
    assert row.attendance_target == pytest.approx(0.7)
    assert (row.members_start, row.members_end, row.new_members) == (120, 130, 15)
    assert (row.activities_held, row.supervision_done, row.dialogues_held) == (13, 5, 3)
    assert row.note == "Số liệu chốt ngày 31/12"
    assert _db.session.get(User, row.updated_by_id).username == "hoind"
    assert not row.veto_discipline and not row.veto_disunity

    page = client.get(URL).get_data(as_text=True)
    assert "Đã lưu số liệu." in page
    assert 'value="72,5"' in page and 'value="70"' in page


@pytest.mark.parametrize(
    ("typed", "fraction"),
    [("72,5", 0.725), ("72.5", 0.725), ("72,5 %", 0.725), ("100", 1.0), ("0", 0.0), ("7", 0.07)],
)
def test_rates_are_typed_as_percent_and_kept_as_fractions(client, login, world, typed, fraction):
    login("hoind", PASSWORD)
    assert client.post(URL, data={"attendance_rate": typed}).status_code == 302
    assert stored().attendance_rate == pytest.approx(fraction)


REFUSED = [
    ({"members_start": "-3"}, "members_start", "Không được nhỏ hơn 0."),
    ({"members_end": "1.200"}, "members_end", "không có dấu chấm hay dấu phẩy"),
    ({"activities_held": "mười"}, "activities_held", "Xin ghi một số nguyên"),
    ({"supervision_planned": "2,5"}, "supervision_planned", "không có dấu chấm hay dấu phẩy"),
    ({"members_start": "2000000"}, "members_start", "Số này quá lớn"),
    ({"attendance_rate": "120"}, "attendance_rate", "Tỷ lệ phần trăm phải từ 0 đến 100."),
    ({"attendance_target": "-1"}, "attendance_target", "Tỷ lệ phần trăm phải từ 0 đến 100."),
    ({"attendance_rate": "bảy mươi"}, "attendance_rate", "Xin ghi tỷ lệ phần trăm"),
    ({"new_members": "131"}, "new_members", "131 lớn hơn “Số hội viên, đoàn viên cuối năm” (130)"),
    ({"campaign_members": "131"}, "campaign_members", "lớn hơn “Số hội viên, đoàn viên cuối năm”"),
    (
        {"members_end": "", "new_members": "", "campaign_members": "121"},
        "campaign_members",
        "121 lớn hơn “Số hội viên, đoàn viên đầu năm” (120)",
    ),
    ({"recommendations_answered": "7"}, "recommendations_answered", "7 lớn hơn “Số kiến nghị"),
    ({"shortcomings_remedied": "4"}, "shortcomings_remedied", "4 lớn hơn “Số hạn chế"),
]


@pytest.mark.parametrize(("change", "field", "message"), REFUSED, ids=[r[1] for r in REFUSED])
def test_each_rule_refuses_with_the_reason_next_to_the_field(
    client, login, world, change, field, message
):
    login("hoind", PASSWORD)
    response = client.post(URL, data=VALID | change)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Số liệu chưa được lưu" in page
    block = field_block(page, field)
    assert message in block
    assert 'aria-invalid="true"' in block
    # Everything typed is still there, the wrong value too.
    assert f'value="{change[field]}"' in block
    assert 'value="72,5"' in field_block(page, "attendance_rate") or field == "attendance_rate"
    assert stored() is None
    assert audit_entries() == []


def test_a_long_note_is_refused(client, login, world):
    login("hoind", PASSWORD)
    response = client.post(URL, data=VALID | {"note": "x" * 2001})
    assert response.status_code == 422
    assert "không quá 2000 ký tự" in response.get_data(as_text=True)
    assert stored() is None


def test_empty_boxes_are_figures_not_known_yet(client, login, world):
    login("hoind", PASSWORD)
    client.post(URL, data=VALID)
    assert client.post(URL, data=VALID | {"dialogues_held": ""}).status_code == 302
    assert stored().dialogues_held is None
    assert audit_entries()[-1].details["after"] == {"dialogues_held": None}


def test_an_officer_of_another_organization_is_refused(client, login, world):
    login("hoipn", PASSWORD)
    assert client.get(URL).status_code == 403
    assert client.post(URL, data=VALID).status_code == 403
    assert stored() is None
    assert client.get("/manage/indicators/phunu/2025").status_code == 200


def test_the_list_shows_an_officer_only_its_organization(client, login, world):
    login("hoind", PASSWORD)
    page = client.get("/manage/indicators/").get_data(as_text=True)
    assert "Hội Nông dân xã" in page
    assert "Hội Liên hiệp Phụ nữ xã" not in page
    assert "/manage/indicators/phunu/" not in page


def test_the_list_shows_readers_every_organization_and_who_changed_what(client, login, world):
    login("hoind", PASSWORD)
    client.post(URL, data=VALID)
    client.post("/logout")
    login("ubkt", PASSWORD)
    page = client.get("/manage/indicators/").get_data(as_text=True)
    assert "Hội Nông dân xã" in page and "Hội Liên hiệp Phụ nữ xã" in page
    # The year of the figures, and the current year even without any data.
    assert "/manage/indicators/nongdan/2025" in page
    assert f"/manage/indicators/phunu/{current_year()}" in page
    assert "Đã nhập 18/18 số liệu" in page
    assert "Phạm Văn An" in page
    assert "Chưa nhập" in page


def test_an_inspector_reads_only(client, login, world):
    login("hoind", PASSWORD)
    client.post(URL, data=VALID)
    client.post("/logout")
    login("ubkt", PASSWORD)
    page = client.get(URL).get_data(as_text=True)
    assert 'value="120"' in page
    assert "Lưu số liệu" not in page
    assert "disabled" in field_block(page, "members_start")
    assert client.post(URL, data=VALID | {"members_start": "1"}).status_code == 403
    assert stored().members_start == 120


def test_an_officer_sees_the_vetoes_but_cannot_set_them(client, login, world):
    login("hoind", PASSWORD)
    page = client.get(URL).get_data(as_text=True)
    veto_box = re.search(r'<input[^>]*id="veto_discipline"[^>]*>', page).group(0)
    assert "disabled" in veto_box
    vetoes = {"vetoes_shown": "1", "veto_discipline": "y", "veto_disunity": "y"}
    client.post(URL, data=VALID | vetoes)
    row = stored()
    assert row.members_start == 120
    assert not row.veto_discipline and not row.veto_disunity


def test_the_committee_records_vetoes_and_nothing_else(client, login, world):
    login("hoind", PASSWORD)
    client.post(URL, data=VALID)
    client.post("/logout")
    login("thuongtruc", PASSWORD)
    page = client.get(URL).get_data(as_text=True)
    assert "disabled" in field_block(page, "members_start")
    veto_box = re.search(r'<input[^>]*id="veto_disunity"[^>]*>', page).group(0)
    assert "disabled" not in veto_box
    response = client.post(
        URL, data={"members_start": "999", "vetoes_shown": "1", "veto_disunity": "y"}
    )
    assert response.status_code == 302
    row = stored()
    assert row.veto_disunity and not row.veto_discipline
    assert row.members_start == 120
    last = audit_entries()[-1]
    assert last.username == "thuongtruc"
    assert last.details["before"] == {"veto_disunity": False}
    assert last.details["after"] == {"veto_disunity": True}
    # A POST without the veto boxes changes nothing; unticking them clears the veto.
    client.post(URL, data={})
    assert stored().veto_disunity
    client.post(URL, data={"vetoes_shown": "1"})
    assert not stored().veto_disunity


def test_the_admin_changes_figures_and_vetoes(client, login, world):
    login("vanphong", PASSWORD)
    client.post(URL, data=VALID | {"vetoes_shown": "1", "veto_discipline": "y"})
    row = stored()
    assert row.veto_discipline and row.members_start == 120
    # Figures sent alone leave the vetoes and the figures not sent as they are.
    client.post(URL, data={"members_end": "131"})
    row = stored()
    assert row.veto_discipline and row.members_start == 120 and row.members_end == 131


def test_every_save_is_audited_and_shown_newest_first(client, login, world):
    login("hoind", PASSWORD)
    client.post(URL, data=VALID)
    client.post("/logout")
    login("vanphong", PASSWORD)
    client.post(URL, data=VALID | {"members_start": "125", "attendance_rate": "75"})

    first, second = audit_entries()
    assert first.action == second.action == "indicator.update"
    assert first.target == "nongdan/2025"
    assert first.username == "hoind"
    assert first.details["after"]["attendance_rate"] == pytest.approx(0.725)
    assert first.details["before"]["members_start"] is None
    assert second.username == "vanphong"
    assert second.details["before"] == {"members_start": 120, "attendance_rate": 0.725}
    assert second.details["after"] == {"members_start": 125, "attendance_rate": 0.75}

    page = client.get(URL).get_data(as_text=True)
    history = page[page.index("Lịch sử thay đổi") :]
    assert history.index("Nguyễn Thị Lan") < history.index("Phạm Văn An")
    newest = history[history.index("Nguyễn Thị Lan") : history.index("Phạm Văn An")]
    assert re.search(r"Số hội viên, đoàn viên đầu năm</td><td>120</td><td>125</td>", newest)
    assert re.search(r"<td>72,5 %</td><td>75 %</td>", newest)
    assert "Số kỳ sinh hoạt định kỳ đã tổ chức" not in newest  # unchanged fields are not listed


def test_saving_unchanged_figures_adds_no_entry(client, login, world):
    login("hoind", PASSWORD)
    client.post(URL, data=VALID)
    response = client.post(URL, data=VALID, follow_redirects=True)
    assert "Không có số liệu nào thay đổi." in response.get_data(as_text=True)
    assert len(audit_entries()) == 1


def test_unknown_organizations_and_years_are_not_found(client, login, world):
    login("vanphong", PASSWORD)
    assert client.get("/manage/indicators/nowhere/2025").status_code == 404
    assert client.get("/manage/indicators/nongdan/1999").status_code == 404
    assert client.get(f"/manage/indicators/nongdan/{current_year() + 2}").status_code == 404
    assert client.get(f"/manage/indicators/nongdan/{current_year() + 1}").status_code == 200


def test_the_form_is_made_for_phone_keyboards(client, login, world):
    login("hoind", PASSWORD)
    page = client.get(URL).get_data(as_text=True)
    assert re.search(r'<input[^>]*id="members_start"[^>]*inputmode="numeric"', page)
    assert re.search(r'<input[^>]*id="attendance_rate"[^>]*inputmode="decimal"', page)


def test_a_save_that_collides_with_another_becomes_a_form_error(client, login, world, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from survey.indicators import figures

    def collide(*args, **kwargs):
        raise IntegrityError("INSERT INTO annual_indicator", {}, Exception("unique"))

    monkeypatch.setattr(figures, "save_indicator", collide)
    login("hoind", PASSWORD)
    response = client.post(URL, data=VALID)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Vừa có người lưu số liệu này." in page
    assert 'value="72,5"' in page


def test_a_part_sent_alone_is_compared_with_its_stored_whole(client, login, world):
    login("hoind", PASSWORD)
    client.post(URL, data=VALID)
    response = client.post(URL, data={"shortcomings_remedied": "4"})
    assert response.status_code == 422
    assert "4 lớn hơn “Số hạn chế, yếu kém được chỉ ra” (3)" in response.get_data(as_text=True)
    assert stored().shortcomings_remedied == 2
