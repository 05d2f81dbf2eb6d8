"""The rule set page: the office changes the rating's numbers without code, and it is audited."""

import sqlalchemy as sa

from survey.models import AuditLog
from survey.ratings.rulesets import RULES_SETTING, commune_rules
from tests.factories import make_user, saved_setting

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
    assert saved_setting(db, RULES_SETTING).value == OVERRIDE.strip()
    assert commune_rules(2025).tot == 75
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "ruleset.update"))
    assert entry.username == "vanphong"
    assert entry.details["before"] == {"toml": ""}
    assert entry.details["after"] == {"toml": OVERRIDE.strip()}
    # Back to the default: the row goes, and that change is audited too.
    client.post("/manage/admin/rules", data={"rules": ""})
    assert saved_setting(db, RULES_SETTING) is None
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
    assert saved_setting(db, RULES_SETTING) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 0


def test_every_year_table_is_checked(client, db, login):
    _admin(db, login)
    response = client.post("/manage/admin/rules", data={"rules": "[year.2019.tiers]\ntot = 99\n"})
    assert response.status_code == 422
    assert "must rise" in response.get_data(as_text=True)


# --- the rule set as a form ----------------------------------------------------------------


def form_data(app, _shown=None, **changes):
    """What the form posts when the office changes nothing but `changes` (criteria by code)
    on the form as it shows the rules `_shown` (default: analytics' default)."""
    from analytics import load_ruleset
    from survey.admin.forms import RuleSetForm

    with app.test_request_context():
        form = RuleSetForm(formdata=None)
        form.fill_from(_shown or load_ruleset(2025, None))
        data = {}
        for field in form:
            subfields = (
                [s for row in field for s in row.form] if field.type == "FieldList" else [field]
            )
            for sub in subfields:
                if sub.type == "BooleanField":
                    if sub.data:
                        data[sub.name] = "y"
                elif sub.type != "CSRFTokenField":
                    data[sub.name] = sub._value() if sub.type != "SelectField" else sub.data
    codes = {data[k]: k[: -len("-code")] for k in data if k.endswith("-code")}
    for key, value in changes.items():
        code, _, name = key.partition("__")
        target = f"{codes[code]}-{name}" if name else key
        if value is None:
            data.pop(target, None)
        else:
            data[target] = value
    return data


def test_the_form_shows_each_criterion_by_name_with_its_numbers(client, db, login):
    _admin(db, login)
    html = client.get("/manage/admin/rules").get_data(as_text=True)
    assert "Tỷ lệ hội viên, đoàn viên tham gia các cuộc vận động, phong trào thi đua" in html
    assert 'name="answer_within_days" type="text" value="30"' in html
    assert 'name="xuat_sac" type="text" value="90"' in html
    # The TOML is there for the office, behind "Nâng cao".
    advanced = html[html.index('<details class="advanced"') :]
    assert 'name="rules"' in advanced and 'name="rules"' not in html[: html.index(advanced)]


def test_a_change_made_in_the_form_is_saved_as_the_difference_and_audited(app, client, db, login):
    import tomllib

    _admin(db, login)
    data = form_data(app, answer_within_days="45", campaigns__target="60")
    response = client.post("/manage/admin/rules", data=data)
    assert response.status_code == 302
    saved = tomllib.loads(saved_setting(db, RULES_SETTING).value)
    assert saved["feedback"] == {"answer_within_days": 45}
    assert saved["criteria"] == [
        {"code": "campaigns", "group": "results", "weight": 10, "target": 0.6, "key": True}
    ]
    assert set(saved) == {"feedback", "criteria"}  # only what differs from the default
    rules = commune_rules(2025)
    assert rules.answer_within_days == 45
    assert next(c for c in rules.criteria if c.code == "campaigns").target == 0.6
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "ruleset.update")
        )
        == 1
    )
    # Saving it again unchanged changes nothing.
    again = client.post("/manage/admin/rules", data=form_data(app) | data)
    assert again.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 1


def test_points_that_do_not_add_up_or_tiers_out_of_order_are_refused_beside_them(
    app, client, db, login
):
    _admin(db, login)
    too_many = client.post("/manage/admin/rules", data=form_data(app, meetings__weight="20"))
    html = too_many.get_data(as_text=True)
    assert too_many.status_code == 422
    assert "cộng lại bằng 110; phải bằng 100" in html and 'value="20"' in html
    backwards = client.post("/manage/admin/rules", data=form_data(app, tot="95"))
    assert backwards.status_code == 422
    assert "Hoàn thành < Tốt < Xuất sắc" in backwards.get_data(as_text=True)
    not_a_number = client.post("/manage/admin/rules", data=form_data(app, hoan_thanh="năm mươi"))
    assert not_a_number.status_code == 422 and 'value="năm mươi"' in not_a_number.get_data(
        as_text=True
    )
    assert saved_setting(db, RULES_SETTING) is None


def test_the_cap_is_set_in_words_and_saved_as_its_difference(app, client, db, login):
    import tomllib

    _admin(db, login)
    html = client.get("/manage/admin/rules").get_data(as_text=True)
    assert "làm tròn xuống (cách hiểu chặt: 20 phần trăm của 4 là 0)" in html
    assert "phạm vi rộng hơn của cấp ủy cấp trên" in html
    data = form_data(app, cap_rounding="half_up")
    assert client.post("/manage/admin/rules", data=data).status_code == 302
    saved = tomllib.loads(saved_setting(db, RULES_SETTING).value)
    assert saved == {"cap": {"rounding": "half_up"}}
    assert commune_rules(2025).cap_rounding == "half_up"
    refused = client.post("/manage/admin/rules", data=data | {"cap_rounding": "ceiling"})
    assert refused.status_code == 422
