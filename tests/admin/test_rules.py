"""The rule set page: the office changes the rating's numbers without code, and it is audited."""

import sqlalchemy as sa

from survey.models import AuditLog, Setting
from survey.ratings.rulesets import RULES_SETTING, commune_rules
from tests.factories import make_user

OVERRIDE = 'name = "ha-tam"\n[tiers]\ntot = 75\n'


def _admin(db, login):
    make_user(db, username="vanphong", role="admin")
    db.session.commit()
    login("vanphong", "a-long-password")


def test_the_page_shows_the_rules_in_force(client, db, login):
    _admin(db, login)
    html = client.get("/manage/admin/rules").get_data(as_text=True)
    assert "Tỷ lệ hội viên, đoàn viên tham gia các cuộc vận động, phong trào thi đua" in html
    assert "50%" in html  # the campaigns target of the resolution
    assert "Quy định 366-QĐ/TW" in html  # the default text with its sources


def test_a_valid_override_is_saved_audited_and_used(client, db, login):
    _admin(db, login)
    response = client.post("/manage/admin/rules", data={"rules": OVERRIDE})
    assert response.status_code == 302
    assert db.session.get(Setting, RULES_SETTING).value == OVERRIDE.strip()
    assert commune_rules(2025).tot == 75
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "ruleset.update"))
    assert entry.username == "vanphong"
    assert entry.details["before"] == {"toml": ""}
    assert entry.details["after"] == {"toml": OVERRIDE.strip()}
    # Back to the default: the row goes, and that change is audited too.
    client.post("/manage/admin/rules", data={"rules": ""})
    assert db.session.get(Setting, RULES_SETTING) is None
    assert commune_rules(2025).tot == 70
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 2


def test_a_wrong_rule_set_is_refused_precisely_and_kept_in_the_form(client, db, login):
    _admin(db, login)
    wrong = '[[criteria]]\ncode = "satisfaction"\nweight = 30\n'
    response = client.post("/manage/admin/rules", data={"rules": wrong})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bộ tiêu chí chưa được lưu" in html
    assert "weights must sum to 100, got 115" in html
    assert "code = &#34;satisfaction&#34;" in html  # what was typed is still there
    assert db.session.get(Setting, RULES_SETTING) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 0


def test_every_year_table_is_checked(client, db, login):
    _admin(db, login)
    response = client.post("/manage/admin/rules", data={"rules": "[year.2019.tiers]\ntot = 99\n"})
    assert response.status_code == 422
    assert "must rise" in response.get_data(as_text=True)
