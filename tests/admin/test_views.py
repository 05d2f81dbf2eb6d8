"""Administration: users, villages and organizations; every change audited, no secrets logged."""

import json
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from survey.models import AuditLog, Organization, Unit, User
from tests.factories import make_organization, make_unit, make_user

PASSWORD = "a-long-password"


@pytest.fixture
def world(db):
    """An administrator, an officer of nongdan, and a village officer of thon1."""
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân", short_name="Nông dân")
    thon1 = make_unit(db, code="thon1", name="Thôn 1")
    admin = make_user(db, username="vanphong", role="admin", full_name="Lê Văn Phòng")
    officer = make_user(
        db, username="nongdan1", role="org_officer", organization=nongdan, full_name="Trần Nông"
    )
    village = make_user(db, username="thon1", role="unit_officer", unit=thon1)
    officer.last_login = datetime(2026, 3, 1, 1, 30, tzinfo=timezone.utc)
    db.session.commit()
    return {"admin": admin, "officer": officer, "village": village}


@pytest.fixture
def admin(client, world, login):
    """The test client, signed in as the administrator."""
    assert login("vanphong", PASSWORD).status_code == 302
    return client


def fresh(db, username):
    """The user as the database has it now (the test's session forgets what it read)."""
    db.session.rollback()  # a new transaction: SQLite shows what the requests committed
    db.session.expire_all()  # rollback() outside a transaction keeps loaded objects as they were
    return db.session.scalar(sa.select(User).where(User.username == username))


def entries(db, action):
    db.session.rollback()
    return db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
    ).all()


def signed_in_client(app, username, password=PASSWORD):
    """Another browser, signed in as `username`."""
    other = app.test_client()
    response = other.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert other.get("/manage/").status_code == 200
    return other


def assert_sent_to_sign_in(client):
    response = client.get("/manage/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


NEW_USER = {
    "username": "phunu1",
    "full_name": "Nguyễn Thị Hoa",
    "role": "org_officer",
    "organization": "nongdan",
    "unit": "",
    "password": "mat-khau-moi-123",
    "confirm": "mat-khau-moi-123",
}


# --- the pages -------------------------------------------------------------------------------


def test_home_links_to_each_area_and_the_workspace_nav_shows_administration(admin):
    page = admin.get("/manage/admin/").get_data(as_text=True)
    for path in ("users", "villages", "organizations", "settings"):
        assert f'href="/manage/admin/{path}"' in page
    assert 'href="/manage/admin/"' in admin.get("/manage/").get_data(as_text=True)


def test_user_list_shows_name_role_binding_state_and_last_sign_in(admin, db):
    page = admin.get("/manage/admin/users").get_data(as_text=True)
    assert "nongdan1" in page and "Trần Nông" in page
    assert "Cán bộ tổ chức, đoàn thể" in page and "Hội Nông dân" in page
    assert "Thôn 1" in page
    assert "01/03/2026 08:30" in page  # 01:30 UTC is 08:30 in Vietnam
    assert "chưa lần nào" in page  # the village officer has never signed in


# --- creating users --------------------------------------------------------------------------


def test_create_user_then_it_signs_in(admin, app, db):
    response = admin.post("/manage/admin/users/new", data=NEW_USER)
    assert response.status_code == 302
    user = fresh(db, "phunu1")
    assert user.role == "org_officer" and user.organization.code == "nongdan"
    assert user.full_name == "Nguyễn Thị Hoa" and user.active
    signed_in_client(app, "phunu1", "mat-khau-moi-123")


def test_create_user_is_audited_without_the_password(admin, db):
    admin.post("/manage/admin/users/new", data=NEW_USER)
    [entry] = entries(db, "user.create")
    assert entry.target == "user:phunu1" and entry.username == "vanphong"
    assert entry.details["after"] == {
        "username": "phunu1",
        "full_name": "Nguyễn Thị Hoa",
        "role": "org_officer",
        "organization": "nongdan",
        "active": True,
    }  # "unit" is None before and after: not a change, not logged
    logged = json.dumps(entry.details)
    assert "mat-khau-moi-123" not in logged
    assert fresh(db, "phunu1").password_hash not in logged and "scrypt" not in logged


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": "NongDan1"}, "Tên đăng nhập này đã có người dùng"),
        ({"username": "nguyễn"}, "Chỉ dùng chữ không dấu"),
        ({"username": ""}, "Vui lòng đặt tên đăng nhập"),
        ({"full_name": ""}, "Vui lòng ghi họ và tên"),
        ({"organization": ""}, "Cán bộ tổ chức, đoàn thể phải thuộc một tổ chức"),
        ({"role": "unit_officer", "organization": ""}, "Cán bộ thôn phải thuộc một thôn"),
        ({"role": "unit_officer", "unit": "thon1"}, "Chỉ cán bộ tổ chức, đoàn thể mới thuộc"),
        ({"role": "committee"}, "Chỉ cán bộ tổ chức, đoàn thể mới thuộc"),
        ({"unit": "thon1"}, "Chỉ cán bộ thôn mới thuộc một thôn"),
        ({"password": "short-pw1", "confirm": "short-pw1"}, "ít nhất 10 ký tự"),
        ({"confirm": "mat-khau-khac-123"}, "Hai lần nhập mật khẩu không giống nhau"),
        ({"confirm": ""}, "nhập lại mật khẩu lần thứ hai"),
    ],
)
def test_create_user_refuses_what_the_rules_forbid(admin, db, changes, message):
    response = admin.post("/manage/admin/users/new", data=NEW_USER | changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert "Chưa lưu được" in page
    if changes.get("full_name") != "":
        assert 'value="Nguyễn Thị Hoa"' in page  # what was typed stays
    assert "mat-khau-moi-123" not in page  # passwords are never sent back
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 3
    assert entries(db, "user.create") == []


def test_village_officer_and_committee_need_their_own_binding(admin, db):
    village = NEW_USER | {"username": "thon1b", "role": "unit_officer"}
    village |= {"organization": "", "unit": "thon1"}
    assert admin.post("/manage/admin/users/new", data=village).status_code == 302
    committee = NEW_USER | {"username": "thuongtruc", "role": "committee", "organization": ""}
    assert admin.post("/manage/admin/users/new", data=committee).status_code == 302
    assert fresh(db, "thon1b").unit.code == "thon1"
    assert fresh(db, "thuongtruc").organization is None


# --- changing users --------------------------------------------------------------------------


def test_edit_user_changes_role_and_binding_with_before_and_after(admin, db, world):
    officer = world["officer"]
    response = admin.post(
        f"/manage/admin/users/{officer.id}/edit",
        data={
            "full_name": "Trần Văn Nông",
            "role": "unit_officer",
            "organization": "",
            "unit": "thon1",
        },
    )
    assert response.status_code == 302
    user = fresh(db, "nongdan1")
    assert user.role == "unit_officer" and user.unit.code == "thon1" and user.organization is None
    [entry] = entries(db, "user.update")
    assert entry.details["before"] == {
        "full_name": "Trần Nông",
        "role": "org_officer",
        "organization": "nongdan",
        "unit": None,
    }
    assert entry.details["after"] == {
        "full_name": "Trần Văn Nông",
        "role": "unit_officer",
        "organization": None,
        "unit": "thon1",
    }


def test_edit_form_shows_the_current_values(admin, world):
    page = admin.get(f"/manage/admin/users/{world['officer'].id}/edit").get_data(as_text=True)
    assert 'value="Trần Nông"' in page
    assert '<option selected value="nongdan">' in page or 'value="nongdan" selected' in page


def test_admin_cannot_demote_themselves(admin, db, world):
    response = admin.post(
        f"/manage/admin/users/{world['admin'].id}/edit",
        data={"full_name": "Lê Văn Phòng", "role": "committee", "organization": "", "unit": ""},
    )
    assert response.status_code == 422
    assert "Bạn không thể tự thay đổi vai trò của mình" in response.get_data(as_text=True)
    assert fresh(db, "vanphong").role == "admin"
    assert entries(db, "user.update") == []


def test_admin_may_rename_themselves(admin, db, world):
    response = admin.post(
        f"/manage/admin/users/{world['admin'].id}/edit",
        data={"full_name": "Lê Phòng", "role": "admin", "organization": "", "unit": ""},
    )
    assert response.status_code == 302 and fresh(db, "vanphong").full_name == "Lê Phòng"


def test_unknown_user_is_404(admin):
    assert admin.get("/manage/admin/users/999999/edit").status_code == 404
    assert admin.post("/manage/admin/users/999999/deactivate").status_code == 404


# --- deactivation and password reset --------------------------------------------------------


def test_deactivation_ends_the_users_sessions_and_stops_sign_in(admin, app, db, world):
    officer_browser = signed_in_client(app, "nongdan1")
    response = admin.post(f"/manage/admin/users/{world['officer'].id}/deactivate")
    assert response.status_code == 302
    assert not fresh(db, "nongdan1").active
    assert_sent_to_sign_in(officer_browser)
    again = app.test_client().post("/login", data={"username": "nongdan1", "password": PASSWORD})
    assert again.status_code == 200  # the form again, with "wrong username or password"
    [entry] = entries(db, "user.deactivate")
    assert entry.target == "user:nongdan1"
    assert (entry.details["before"], entry.details["after"]) == (
        {"active": True},
        {"active": False},
    )


def test_reactivation_lets_the_user_sign_in_again(admin, app, db, world):
    admin.post(f"/manage/admin/users/{world['officer'].id}/deactivate")
    assert "đã khóa" in admin.get("/manage/admin/users").get_data(as_text=True)
    response = admin.post(f"/manage/admin/users/{world['officer'].id}/reactivate")
    assert response.status_code == 302 and fresh(db, "nongdan1").active
    signed_in_client(app, "nongdan1")
    [entry] = entries(db, "user.reactivate")
    assert entry.details["after"] == {"active": True}


def test_admin_cannot_deactivate_themselves(admin, db, world):
    response = admin.post(
        f"/manage/admin/users/{world['admin'].id}/deactivate", follow_redirects=True
    )
    assert "Bạn không thể tự khóa tài khoản của mình" in response.get_data(as_text=True)
    assert fresh(db, "vanphong").active
    assert admin.get("/manage/").status_code == 200  # still signed in
    assert entries(db, "user.deactivate") == []


def test_own_account_page_offers_no_deactivate_button(admin, world):
    page = admin.get(f"/manage/admin/users/{world['admin'].id}/edit").get_data(as_text=True)
    assert "/deactivate" not in page
    page = admin.get(f"/manage/admin/users/{world['officer'].id}/edit").get_data(as_text=True)
    assert f"/manage/admin/users/{world['officer'].id}/deactivate" in page


def test_password_reset_ends_sessions_and_only_the_new_password_works(admin, app, db, world):
    officer_browser = signed_in_client(app, "nongdan1")
    new = "mat-khau-moi-456"
    response = admin.post(
        f"/manage/admin/users/{world['officer'].id}/password",
        data={"password": new, "confirm": new},
    )
    assert response.status_code == 302
    assert_sent_to_sign_in(officer_browser)
    user = fresh(db, "nongdan1")
    assert user.check_password(new) and not user.check_password(PASSWORD)
    signed_in_client(app, "nongdan1", new)
    [entry] = entries(db, "user.password_reset")
    assert entry.target == "user:nongdan1" and entry.username == "vanphong"
    logged = json.dumps(entry.details)
    assert new not in logged and user.password_hash not in logged and "password" not in logged


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": "ngan-qua", "confirm": "ngan-qua"}, "ít nhất 10 ký tự"),
        ({"password": "mat-khau-moi-456", "confirm": "mat-khau-moi-457"}, "không giống nhau"),
    ],
)
def test_password_reset_refuses_short_or_mismatched(admin, db, world, data, message):
    response = admin.post(f"/manage/admin/users/{world['officer'].id}/password", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert fresh(db, "nongdan1").check_password(PASSWORD)
    assert entries(db, "user.password_reset") == []


def test_admin_resetting_their_own_password_stays_signed_in_here_only(admin, app, db, world):
    other_browser = signed_in_client(app, "vanphong")
    new = "mat-khau-moi-789"
    admin.post(
        f"/manage/admin/users/{world['admin'].id}/password", data={"password": new, "confirm": new}
    )
    assert admin.get("/manage/").status_code == 200
    assert_sent_to_sign_in(other_browser)


# --- villages ----------------------------------------------------------------------------------

VILLAGE = {
    "code": "thon9",
    "name": "Thôn 9",
    "adult_population": "812",
    "households": "240",
    "position": "9",
}


def test_villages_list_and_create(admin, db):
    assert "Thôn 1" in admin.get("/manage/admin/villages").get_data(as_text=True)
    response = admin.post("/manage/admin/villages/new", data=VILLAGE)
    assert response.status_code == 302
    db.session.rollback()
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "thon9"))
    assert (unit.name, unit.adult_population, unit.households, unit.position) == (
        "Thôn 9",
        812,
        240,
        9,
    )
    [entry] = entries(db, "unit.create")
    assert entry.target == "unit:thon9" and entry.details["after"]["adult_population"] == 812
    assert "Thôn 9" in admin.get("/manage/admin/villages").get_data(as_text=True)


def test_village_edit_records_before_and_after(admin, db):
    page = admin.get("/manage/admin/villages/thon1/edit").get_data(as_text=True)
    assert 'value="Thôn 1"' in page and 'value="500"' in page
    data = {"code": "thon1", "name": "Thôn Một", "adult_population": "640"}
    data |= {"households": "0", "position": "1"}
    assert admin.post("/manage/admin/villages/thon1/edit", data=data).status_code == 302
    [entry] = entries(db, "unit.update")
    assert entry.details["before"] == {"name": "Thôn 1", "adult_population": 500, "position": 0}
    assert entry.details["after"] == {"name": "Thôn Một", "adult_population": 640, "position": 1}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "thon1"}, "Mã này đã được dùng"),
        ({"code": "Thôn 9"}, "Chỉ dùng chữ thường không dấu"),
        ({"name": ""}, "Vui lòng ghi tên thôn"),
        ({"adult_population": "-3"}, "từ 0 trở lên"),
        ({"adult_population": "1.200"}, "không có dấu chấm"),
        ({"households": ""}, "ghi 0 nếu chưa rõ"),
    ],
)
def test_village_form_refuses_bad_values(admin, db, changes, message):
    response = admin.post("/manage/admin/villages/new", data=VILLAGE | changes)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 1
    assert entries(db, "unit.create") == []


def test_a_new_village_s_code_is_made_from_its_name_when_left_empty(admin, db):
    make_unit(db, code="lang_kon_hring", name="Làng cũ")
    db.session.commit()
    sent = admin.post(
        "/manage/admin/villages/new", data=VILLAGE | {"code": "", "name": "Làng Kon Hring"}
    )
    assert sent.status_code == 302
    assert db.session.scalar(sa.select(Unit.code).where(Unit.name == "Làng Kon Hring")) == (
        "lang_kon_hring_2"  # the plain one was taken
    )


def test_renaming_a_village_code_to_a_taken_one_is_refused(admin, db):
    make_unit(db, code="thon2", name="Thôn 2")
    db.session.commit()
    data = VILLAGE | {"code": "thon2", "name": "Thôn 1"}
    response = admin.post("/manage/admin/villages/thon1/edit", data=data)
    assert response.status_code == 422 and "Mã này đã được dùng" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(Unit.name).where(Unit.code == "thon1")) == "Thôn 1"


def test_unknown_village_is_404(admin):
    assert admin.get("/manage/admin/villages/nowhere/edit").status_code == 404


# --- organizations -------------------------------------------------------------------------

ORGANIZATION = {
    "code": "phunu",
    "name": "Hội Liên hiệp Phụ nữ",
    "short_name": "Phụ nữ",
    "position": "2",
    "members_count": "430",
}


def test_organizations_list_create_and_edit(admin, db):
    assert admin.post("/manage/admin/organizations/new", data=ORGANIZATION).status_code == 302
    page = admin.get("/manage/admin/organizations").get_data(as_text=True)
    assert "Hội Liên hiệp Phụ nữ" in page and "Hội Nông dân" in page
    data = ORGANIZATION | {"members_count": "452"}
    assert admin.post("/manage/admin/organizations/phunu/edit", data=data).status_code == 302
    db.session.rollback()
    org = db.session.scalar(sa.select(Organization).where(Organization.code == "phunu"))
    assert (org.short_name, org.members_count, org.position) == ("Phụ nữ", 452, 2)
    [created] = entries(db, "organization.create")
    assert created.target == "organization:phunu"
    [updated] = entries(db, "organization.update")
    assert updated.details == {"before": {"members_count": 430}, "after": {"members_count": 452}}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "nongdan"}, "Mã này đã được dùng"),
        ({"short_name": ""}, "Vui lòng ghi tên ngắn"),
        ({"name": ""}, "Vui lòng ghi tên đầy đủ của tổ chức"),
        ({"members_count": "nhiều"}, "số nguyên"),
    ],
)
def test_organization_form_refuses_bad_values(admin, db, changes, message):
    response = admin.post("/manage/admin/organizations/new", data=ORGANIZATION | changes)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert entries(db, "organization.create") == []


# --- e-mail addresses ------------------------------------------------------------------------


def test_an_email_address_is_kept_audited_and_listed(admin, db, world):
    response = admin.post(
        "/manage/admin/users/new", data=NEW_USER | {"email": " hoa.phunu@gmail.com "}
    )
    assert response.status_code == 302
    assert fresh(db, "phunu1").email == "hoa.phunu@gmail.com"
    [created] = entries(db, "user.create")
    assert created.details["after"]["email"] == "hoa.phunu@gmail.com"
    officer = world["officer"]
    edited = NEW_USER | {"full_name": "Trần Nông", "email": "nong@hoinongdan.vn"}
    assert admin.post(f"/manage/admin/users/{officer.id}/edit", data=edited).status_code == 302
    [changed] = entries(db, "user.update")
    assert changed.details["before"]["email"] is None
    assert changed.details["after"]["email"] == "nong@hoinongdan.vn"
    page = admin.get("/manage/admin/users").get_data(as_text=True)
    assert "nong@hoinongdan.vn" in page and "hoa.phunu@gmail.com" in page
    form = admin.get(f"/manage/admin/users/{officer.id}/edit").get_data(as_text=True)
    assert 'value="nong@hoinongdan.vn"' in form and 'type="email"' in form


@pytest.mark.parametrize(
    "typed", ["hoa.phunu", "hoa@gmail", "hoa phunu@gmail.com", "hòa@gmail.com"]
)
def test_what_is_not_an_email_address_is_refused_and_kept(admin, db, world, typed):
    response = admin.post("/manage/admin/users/new", data=NEW_USER | {"email": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Đây không phải địa chỉ thư điện tử" in page
    assert f'value="{typed}"' in page and 'value="Nguyễn Thị Hoa"' in page
    assert fresh(db, "phunu1") is None and entries(db, "user.create") == []
    officer = world["officer"]
    edited = NEW_USER | {"full_name": "Trần Nông", "email": typed}
    response = admin.post(f"/manage/admin/users/{officer.id}/edit", data=edited)
    assert response.status_code == 422 and f'value="{typed}"' in response.get_data(as_text=True)
    assert fresh(db, "nongdan1").email == "" and entries(db, "user.update") == []
