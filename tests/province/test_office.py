"""The province office's pages: the communes with what each holds, a new commune, and each
commune's administrators' accounts (made in their commune, signed out when deactivated or
given a new password); for the province office alone."""

import pytest
import sqlalchemy as sa

from survey.commune.tenants import create_commune
from survey.core.tenancy import across_communes, commune_scope
from survey.models import AuditLog, Commune, SignIn, User
from tests.factories import make_organization, make_user
from tests.test_route_access import sign_in_quickly

PASSWORD = "a-long-password"


@pytest.fixture
def province(db):
    """Communes alpha and beta (beta with an administrator and an organization officer), the
    province office (sonv) and the province's viewer (tinh); {code: id}."""
    ids = {}
    for code in ("alpha", "beta"):
        with across_communes():
            commune = create_commune(code, f"xã {code.title()}", province="Gia Lai")
            db.session.commit()
        ids[code] = commune.id
    with commune_scope(ids["beta"]):
        org = make_organization(db, code="nongdan", name="Hội Nông dân", short_name="Nông dân")
        make_user(db, username="vp_beta", role="admin", full_name="Trần Văn Bê")
        make_user(db, username="cb_beta", role="org_officer", organization=org)
        db.session.commit()
    with across_communes():
        make_user(db, username="sonv", role="province_admin")
        make_user(db, username="tinh", role="province_viewer")
        db.session.commit()
    return ids


def user_named(db, username):
    """The account as the database holds it now (not as this test's session last saw it)."""
    db.session.expire_all()
    with across_communes():
        return db.session.scalar(sa.select(User).where(User.username == username))


def test_the_province_office_lists_every_commune_with_its_administrators(client, db, province):
    sign_in_quickly(client, db, "sonv")
    html = client.get("/province/communes/").get_data(as_text=True)
    assert "xã Alpha" in html and "xã Beta" in html
    assert "vp_beta" in html and "cb_beta" not in html  # administrators only
    assert "chưa có" in html  # alpha has no administrator yet
    page = client.get("/province/communes/beta").get_data(as_text=True)
    assert "Trần Văn Bê" in page and "1 tổ chức" in page


@pytest.mark.parametrize("username", ["tinh", "vp_beta"])
def test_nobody_else_may_open_them(client, db, province, username):
    sign_in_quickly(client, db, username)
    assert client.get("/province/communes/").status_code == 403
    assert (
        client.post("/province/communes/new", data={"code": "x", "name": "xã X"}).status_code == 403
    )


def test_a_new_commune_is_made_and_a_bad_one_keeps_what_was_typed(client, db, province):
    sign_in_quickly(client, db, "sonv")
    typed = {"code": "Ia Pa", "name": "xã Ia Pa", "province": "Gia Lai", "merged_from": "xã A"}
    refused = client.post("/province/communes/new", data=typed)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "chữ thường không dấu" in html and 'value="xã Ia Pa"' in html and "xã A" in html
    taken = client.post("/province/communes/new", data=typed | {"code": "beta"})
    assert taken.status_code == 422 and "Đã có xã khác dùng mã này" in taken.get_data(as_text=True)
    with across_communes():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Commune)) == 2

    made = client.post(
        "/province/communes/new", data=typed | {"code": "ia_pa", "merged_from": "xã A\n\nxã B\n"}
    )
    assert made.status_code == 302 and made.headers["Location"].endswith("/province/communes/ia_pa")
    with across_communes():
        commune = db.session.scalar(sa.select(Commune).where(Commune.code == "ia_pa"))
        assert commune.name == "xã Ia Pa" and commune.merged_from == ["xã A", "xã B"]
        entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "commune.create"))
    assert entry.commune_id is None and entry.username == "sonv"  # the province's own log


def test_an_administrator_made_for_a_commune_works_in_it_alone(client, db, province, login):
    sign_in_quickly(client, db, "sonv")
    form = {"username": "vp_alpha", "full_name": "Lê Thị An", "email": "", "password": PASSWORD}
    short = client.post("/province/communes/alpha/admins/new", data=form | {"confirm": "khác"})
    assert short.status_code == 422 and 'value="vp_alpha"' in short.get_data(as_text=True)
    taken = form | {"username": "VP_BETA", "confirm": PASSWORD}  # beta's, whatever the case
    assert client.post("/province/communes/alpha/admins/new", data=taken).status_code == 422
    made = client.post("/province/communes/alpha/admins/new", data=form | {"confirm": PASSWORD})
    assert made.status_code == 302
    user = user_named(db, "vp_alpha")
    assert user.role == "admin" and user.commune_id == province["alpha"]
    with commune_scope(province["alpha"]):
        entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "user.create"))
    assert entry.username == "sonv"  # in alpha's own log: alpha sees who made its account

    client.post("/logout")
    assert login("vp_alpha", PASSWORD).status_code == 302
    users = client.get("/manage/admin/users").get_data(as_text=True)
    assert "vp_alpha" in users and "vp_beta" not in users and "cb_beta" not in users


def test_an_administrator_is_signed_out_by_a_new_password_and_by_deactivation(client, db, province):
    admin = user_named(db, "vp_beta")
    sign_in_quickly(client, db, "vp_beta")
    office = client.application.test_client()
    sign_in_quickly(office, db, "sonv")
    url = f"/province/communes/beta/admins/{admin.id}"
    changed = office.post(
        f"{url}/password", data={"password": PASSWORD * 2, "confirm": PASSWORD * 2}
    )
    assert changed.status_code == 302
    assert client.get("/manage/admin/users").status_code == 302  # signed out: to sign in
    with across_communes():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(SignIn)
                .where(SignIn.user_id == admin.id, SignIn.ended_at.is_(None))
            )
            == 0
        )
    assert office.post(f"{url}/deactivate").status_code == 302
    assert user_named(db, "vp_beta").active is False
    assert office.post(f"{url}/reactivate").status_code == 302
    assert user_named(db, "vp_beta").active is True


def test_only_a_communes_own_administrators_are_the_offices_to_manage(client, db, province):
    sign_in_quickly(client, db, "sonv")
    admin, officer = user_named(db, "vp_beta"), user_named(db, "cb_beta")
    # beta's administrator through alpha's address, and beta's organization officer: neither
    assert client.get(f"/province/communes/alpha/admins/{admin.id}/password").status_code == 404
    assert client.post(f"/province/communes/beta/admins/{officer.id}/deactivate").status_code == 404
    assert client.get("/province/communes/gamma").status_code == 404
    assert user_named(db, "cb_beta").active is True


def test_a_communes_backup_stands_alone_after_the_province_made_its_administrator(
    client, db, runner, province, tmp_path
):
    """The audit entry names the province office by its username; the reference to its account
    (outside the commune) is emptied in the commune's backup."""
    import sqlite3

    sign_in_quickly(client, db, "sonv")
    form = {"username": "vp_alpha", "full_name": "Lê Thị An", "password": PASSWORD}
    client.post("/province/communes/alpha/admins/new", data=form | {"confirm": PASSWORD})
    path = tmp_path / "alpha.sqlite"
    result = runner.invoke(args=["backup", "-o", str(path), "--commune", "alpha"])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT username, user_id FROM audit_log WHERE action = 'user.create'"
        ).fetchall()
        users = conn.execute("SELECT username FROM user").fetchall()
    finally:
        conn.close()
    assert rows == [("sonv", None)] and users == [("vp_alpha",)]
