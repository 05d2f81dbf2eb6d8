"""The province's default rule set: the province office sets it for every commune, each
commune's own changes apply over it, and a default that would break a commune's changes is
refused naming the commune."""

import tomllib

import pytest
import sqlalchemy as sa

from survey.commune.tenants import create_commune
from survey.core.tenancy import across_communes, commune_scope
from survey.models import AuditLog, ProvinceSetting, Setting
from survey.ratings.figure_registry import data_version
from survey.ratings.rulesets import RULES_SETTING, base_rules, commune_rules
from tests.admin.test_rules import form_data
from tests.factories import make_user
from tests.test_route_access import sign_in_quickly

PROVINCE = "[tiers]\ntot = 75\nxuat_sac = 92\n"


@pytest.fixture
def province(db):
    """Communes alpha (its office changed the feedback deadline) and beta; the province
    office (sonv) and each commune's office; {code: id}."""
    ids = {}
    for code in ("alpha", "beta"):
        with across_communes():
            commune = create_commune(code, f"xã {code.title()}", province="Gia Lai")
            db.session.commit()
        ids[code] = commune.id
        with commune_scope(commune.id):
            make_user(db, username=f"vp_{code}", role="admin")
            db.session.commit()
    with commune_scope(ids["alpha"]):
        db.session.add(Setting(key=RULES_SETTING, value="[feedback]\nanswer_within_days = 20"))
        db.session.commit()
    with across_communes():
        make_user(db, username="sonv", role="province_admin")
        db.session.commit()
    return ids


def test_the_provinces_default_applies_to_every_commune_under_its_own_changes(client, db, province):
    sign_in_quickly(client, db, "sonv")
    with commune_scope(province["alpha"]):
        before = data_version()
    saved = client.post("/province/rules/", data={"rules": PROVINCE})
    assert saved.status_code == 302
    for code in ("alpha", "beta"):
        with commune_scope(province[code]):
            rules = commune_rules(2025)
            assert (rules.tot, rules.xuat_sac) == (75, 92)
            assert rules.answer_within_days == (20 if code == "alpha" else 30)
            assert "# --- province default ---" in rules.source  # kept with each finalization
    with commune_scope(province["alpha"]):
        assert data_version() != before  # the communes' kept ratings are computed again
    with across_communes():
        entry = db.session.scalar(
            sa.select(AuditLog).where(
                AuditLog.action == "ruleset.update", AuditLog.target == "province"
            )
        )
    assert entry.commune_id is None and entry.username == "sonv"


def test_a_communes_form_saves_only_what_differs_from_the_provinces_default(
    app, client, db, province
):
    with across_communes():
        db.session.add(ProvinceSetting(key=RULES_SETTING, value=PROVINCE))
        db.session.commit()
    sign_in_quickly(client, db, "vp_beta")
    page = client.get("/manage/admin/rules").get_data(as_text=True)
    assert 'name="tot" type="text" value="75"' in page  # the province's, shown as in force
    assert "# --- province default ---" in page
    with commune_scope(province["beta"]):
        shown = base_rules(2025)
    posted = client.post("/manage/admin/rules", data=form_data(app, shown, hoan_thanh="55"))
    assert posted.status_code == 302
    with commune_scope(province["beta"]):
        saved = db.session.scalar(sa.select(Setting.value).where(Setting.key == RULES_SETTING))
        assert tomllib.loads(saved) == {"tiers": {"hoan_thanh": 55}}
        assert (commune_rules(2025).hoan_thanh, commune_rules(2025).tot) == (55, 75)


def test_a_default_that_would_break_a_communes_changes_is_refused_naming_it(client, db, province):
    with commune_scope(province["beta"]):
        db.session.add(Setting(key=RULES_SETTING, value="[tiers]\ntot = 85"))
        db.session.commit()
    sign_in_quickly(client, db, "sonv")
    refused = client.post("/province/rules/", data={"rules": "[tiers]\nxuat_sac = 84\n"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "xã Beta" in html and "must rise" in html and "xuat_sac = 84" in html
    with across_communes():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProvinceSetting)) == 0
    wrong = client.post("/province/rules/", data={"rules": "[tiers]\ntot = 99\n"})
    assert wrong.status_code == 422 and "must rise" in wrong.get_data(as_text=True)


@pytest.mark.parametrize("username", ["vp_alpha"])
def test_only_the_province_office_sets_it(client, db, province, username):
    sign_in_quickly(client, db, username)
    assert client.post("/province/rules/", data={"rules": PROVINCE}).status_code == 403
    with across_communes():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProvinceSetting)) == 0
