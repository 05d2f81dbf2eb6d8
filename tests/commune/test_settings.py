"""Commune settings: saved values override the configuration everywhere they are used."""

import base64
import re

import pytest
import sqlalchemy as sa

from survey.commune import settings
from survey.models import AuditLog, Setting
from survey.responses.slips import slips_html
from tests.factories import make_defined_survey, make_unit, make_user, saved_setting
from tests.responses.test_posters_and_qr import decode_png

PASSWORD = "a-long-password"


def save(db, **values):
    """Save settings as the administration page does, and commit."""
    changed = settings.save_settings(values)
    db.session.commit()
    return changed


def test_without_a_saved_setting_the_configuration_is_in_force(app):
    assert settings.setting("COMMUNE_NAME") == app.config["COMMUNE_NAME"] == "xã Hà Tam"
    assert settings.setting("PUBLIC_BASE_URL") == "http://survey.test"
    assert settings.setting("SUPPRESSION_K") == 5
    assert settings.setting("DISTRICT_NAME") == "" and settings.setting("PROVINCE_NAME") == ""
    assert settings.place_name() == "xã Hà Tam"


def test_a_saved_setting_overrides_the_configuration(app, db):
    save(db, COMMUNE_NAME="xã Hà Lâm", DISTRICT_NAME="huyện Hà Trung", SUPPRESSION_K=7)
    assert settings.setting("COMMUNE_NAME") == "xã Hà Lâm"
    assert settings.setting("SUPPRESSION_K") == 7
    assert settings.setting("PUBLIC_BASE_URL") == "http://survey.test"  # not saved: the default
    assert settings.place_name() == "xã Hà Lâm, huyện Hà Trung"


def test_unknown_keys_are_not_settings(app):
    with pytest.raises(KeyError):
        settings.setting("SECRET_KEY")


def test_saving_the_default_removes_the_override(app, db):
    save(db, SUPPRESSION_K=9)
    assert saved_setting(db, "SUPPRESSION_K").value == 9
    save(db, SUPPRESSION_K=5)  # the configured value again: follow the configuration
    assert saved_setting(db, "SUPPRESSION_K") is None
    app.config["SUPPRESSION_K"] = 6
    assert settings.setting("SUPPRESSION_K") == 6


def test_saving_records_before_and_after_once_and_nothing_when_unchanged(app, db):
    assert save(db, COMMUNE_NAME="xã Hà Lâm", SUPPRESSION_K=5) == ["COMMUNE_NAME"]
    entry = db.session.scalar(sa.select(AuditLog))
    assert entry.action == "setting.update" and entry.target == "commune"
    assert entry.details["before"] == {"COMMUNE_NAME": "xã Hà Tam"}
    assert entry.details["after"] == {"COMMUNE_NAME": "xã Hà Lâm"}
    assert save(db, COMMUNE_NAME="xã Hà Lâm") == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 1


def test_each_worker_rereads_the_settings_after_the_cache_time(make_app, monkeypatch):
    app = make_app(SURVEY_CACHE_SECONDS=30)
    clock = [1000.0]
    monkeypatch.setattr(settings.time, "monotonic", lambda: clock[0])
    with app.app_context():
        settings.forget_cached()
        assert settings.setting("COMMUNE_NAME") == "xã Hà Tam"
        # Another worker saves a new name: this one keeps its copy for a while ...
        settings.db.session.add(Setting(key="COMMUNE_NAME", value="xã Hà Lâm"))
        settings.db.session.commit()
        clock[0] += 29
        assert settings.setting("COMMUNE_NAME") == "xã Hà Tam"
        # ... and sees the change once SURVEY_CACHE_SECONDS have passed.
        clock[0] += 2
        assert settings.setting("COMMUNE_NAME") == "xã Hà Lâm"
        settings.forget_cached()


def test_pages_still_name_the_commune_when_the_database_cannot_answer(app, db, monkeypatch):
    save(db, COMMUNE_NAME="xã Hà Lâm")
    assert settings.setting("COMMUNE_NAME") == "xã Hà Lâm"

    def unreachable(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", unreachable)
    assert settings.setting("COMMUNE_NAME") == "xã Hà Lâm"  # the last values read
    settings.forget_cached()
    assert settings.setting("COMMUNE_NAME") == "xã Hà Tam"  # else the configuration


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://khaosat.hatam.gov.vn", None),
        ("http://10.0.0.5:8000/khaosat", None),
        ("ftp://khaosat.hatam.gov.vn", "scheme"),
        ("khaosat.hatam.gov.vn", "scheme"),
        ("https://", "host"),
        ("https://khao sat.vn", "host"),
        ("https://khaosat.hatam.gov.vn/?u=thon1", "query"),
        ("https://khaosat.hatam.gov.vn/?", "query"),
        ("https://khaosat.hatam.gov.vn/#top", "query"),
    ],
)
def test_public_address_must_be_http_without_query(url, problem):
    assert settings.public_base_url_problem(url) == problem


# --- where the settings show -------------------------------------------------------------------


def test_changed_public_address_is_what_qr_codes_posters_and_slips_encode(client, db):
    make_unit(db, code="thon2", name="Thôn 2")
    survey = make_defined_survey(db)
    save(db, PUBLIC_BASE_URL="https://khaosat.hatam.gov.vn")
    expected = f"https://khaosat.hatam.gov.vn/s/{survey.code}?u=thon2"

    png = client.get(f"/s/{survey.code}/qr.png?u=thon2")
    assert decode_png(png.data) == expected
    poster = client.get(f"/s/{survey.code}/poster?u=thon2").get_data(as_text=True)
    assert expected in poster and "http://survey.test" not in poster
    assert "https://khaosat.hatam.gov.vn/feedback" in poster

    member = make_defined_survey(db, audience="member", status="open")
    page = slips_html(member, None, 1)
    assert f"https://khaosat.hatam.gov.vn/s/{member.code}" in page
    image = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(image).decode().lstrip().startswith("<svg")
    db.session.rollback()


def test_changed_commune_name_district_and_province_show_in_the_page_header(client, db):
    save(
        db, COMMUNE_NAME="xã Hà Lâm", DISTRICT_NAME="huyện Hà Trung", PROVINCE_NAME="tỉnh Thanh Hóa"
    )
    page = client.get("/").get_data(as_text=True)
    header = page.split('<header class="site">')[1].split("</header>")[0]
    assert "xã Hà Lâm, huyện Hà Trung, tỉnh Thanh Hóa" in header
    assert "<title>" in page and "· xã Hà Lâm</title>" in page
    assert "Hà Tam" not in page


def test_without_district_and_province_the_header_shows_the_commune_alone(client):
    page = client.get("/").get_data(as_text=True)
    assert '<span class="brand-place">xã Hà Tam</span>' in page


def test_the_shared_first_visit_page_follows_a_changed_commune_name(client, db):
    survey = make_defined_survey(db)
    db.session.commit()
    assert "xã Hà Tam" in client.get(f"/s/{survey.code}").get_data(as_text=True)
    save(db, COMMUNE_NAME="xã Hà Lâm")
    page = client.get(f"/s/{survey.code}").get_data(as_text=True)
    assert "xã Hà Lâm" in page and "xã Hà Tam" not in page


def test_poster_names_the_commune_with_its_district(client, db):
    survey = make_defined_survey(db)
    save(db, DISTRICT_NAME="huyện Hà Trung")
    page = client.get(f"/s/{survey.code}/poster").get_data(as_text=True)
    assert "xã Hà Tam, huyện Hà Trung" in page


# --- the settings page ---------------------------------------------------------------------


@pytest.fixture
def admin_client(client, db, login):
    make_user(db, username="vanphong", role="admin", password=PASSWORD)
    db.session.commit()
    assert login("vanphong", PASSWORD).status_code == 302
    return client


VALID = {
    "COMMUNE_NAME": "xã Hà Lâm",
    "DISTRICT_NAME": "huyện Hà Trung",
    "PROVINCE_NAME": "",
    "PUBLIC_BASE_URL": "https://khaosat.hatam.gov.vn/",
    "SUPPRESSION_K": "6",
}


def test_settings_page_shows_the_values_in_force(admin_client, db):
    save(db, DISTRICT_NAME="huyện Hà Trung")
    page = admin_client.get("/manage/admin/settings").get_data(as_text=True)
    assert 'value="xã Hà Tam"' in page and 'value="huyện Hà Trung"' in page
    assert 'value="http://survey.test"' in page and 'value="5"' in page


def test_settings_page_saves_and_the_header_follows(admin_client, db):
    response = admin_client.post("/manage/admin/settings", data=VALID)
    assert response.status_code == 302
    db.session.rollback()
    assert settings.setting("PUBLIC_BASE_URL") == "https://khaosat.hatam.gov.vn"  # no slash
    assert settings.setting("SUPPRESSION_K") == 6
    page = admin_client.get("/manage/admin/settings").get_data(as_text=True)
    assert "xã Hà Lâm, huyện Hà Trung" in page
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "setting.update"))
    assert entry.username == "vanphong"
    assert entry.details["after"]["SUPPRESSION_K"] == 6


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("PUBLIC_BASE_URL", "ftp://khaosat.vn", "phải bắt đầu bằng http:// hoặc https://"),
        ("PUBLIC_BASE_URL", "https://khaosat.vn/?a=1", "không được chứa dấu ? hoặc #"),
        ("PUBLIC_BASE_URL", "", "Vui lòng ghi địa chỉ của trang"),
        ("SUPPRESSION_K", "1", "từ 2 trở lên"),
        ("SUPPRESSION_K", "năm", "số nguyên"),
        ("COMMUNE_NAME", " ", "Vui lòng ghi tên xã"),
    ],
)
def test_settings_page_refuses_bad_values_and_keeps_what_was_typed(
    admin_client, db, field, value, message
):
    response = admin_client.post("/manage/admin/settings", data=VALID | {field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="huyện Hà Trung"' in page  # the other fields keep what was typed
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Setting)) == 0
