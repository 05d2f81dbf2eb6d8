"""The province's page: each commune's satisfaction with its interval, shrunk toward the
province where few answered, small communes left out, tiers per commune, no free text, and
only for the province's own roles."""

import pytest
import sqlalchemy as sa

from survey.commune.tenants import create_commune
from survey.core.tenancy import across_communes, commune_scope
from survey.models import User, YearAssessment
from survey.province.overview import satisfaction_by_commune
from tests.factories import (
    make_defined_survey,
    make_organization,
    make_user,
    submit_and_commit,
)
from tests.test_route_access import sign_in_quickly

# commune code -> the satisfaction answers given there (1-5): 4 and 5 count as satisfied.
ANSWERS = {
    "alpha": [5] * 30 + [2] * 10,  # 75%
    "beta": [4] * 20 + [1] * 20,  # 50%
    "gamma": [5] * 12 + [3] * 28,  # 30%
    "delta": [5] * 6,  # 100%, from six people only: pulled toward the province
    "epsilon": [5] * 3,  # under k = 5: left out
}
COMMENT = "Đường vào thôn Ba hỏng nặng"


@pytest.fixture
def province(db):
    ids = {}
    for code in ANSWERS:
        with across_communes():
            commune = create_commune(code, f"xã {code.title()}", province="Gia Lai")
            db.session.commit()
        ids[code] = commune.id
        with commune_scope(commune.id):
            org = make_organization(db, code="nongdan", name="Hội Nông dân", short_name="Nông dân")
            survey = make_defined_survey(db, org=org, code=f"{code}-hailong-2025")
            for i, answer in enumerate(ANSWERS[code]):
                answers = {"hl": answer}
                if answer <= 2:
                    answers["ly_do"] = COMMENT
                submit_and_commit(survey, answers, submission_uid=f"{code}-{i}")
            survey.status = "closed"  # every answer counts
            if code == "alpha":
                db.session.add(YearAssessment(organization=org, year=2025, decided_tier="tot"))
            db.session.commit()
    with across_communes():
        make_user(db, username="tinh", role="province_viewer")
        db.session.commit()
    return ids


def test_satisfaction_is_shrunk_toward_the_province_where_few_answered(db, province):
    found = satisfaction_by_commune(2025, k=5)
    rows = {row.code: row for row in found.communes}
    assert set(rows) == {"alpha", "beta", "gamma", "delta"} and found.hidden == 1
    assert found.shrunk
    assert rows["alpha"].direct == pytest.approx(0.75) and rows["gamma"].n == 40
    delta = rows["delta"]
    assert delta.direct == 1.0
    # Six answers weigh little: delta's estimate moves most of the way to the province.
    assert found.province_share < delta.estimate < delta.direct
    assert delta.own_weight < min(rows[c].own_weight for c in ("alpha", "beta", "gamma"))
    lo, hi = delta.interval
    assert lo < delta.estimate < hi
    assert [r.rank for r in found.communes] == [1, 2, 3, 4]
    assert [r.code for r in found.communes][-1] == "gamma"


def test_the_province_page_shows_aggregates_and_never_a_comment(client, db, province):
    sign_in_quickly(client, db, "tinh")
    page = client.get("/province/2025")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ("xã Alpha", "xã Beta", "xã Gamma", "xã Delta"):
        assert name in html
    assert "xã Epsilon" not in html.split("Xếp loại các tổ chức theo xã")[0]
    assert "1 xã không được hiển thị" in html
    assert COMMENT not in html
    assert "Hoàn thành tốt nhiệm vụ" in html and "đã quyết định" in html  # alpha, decided
    assert "/province/2024" in html  # the other years


def test_the_province_viewer_signs_in_through_the_form(client, db, province, login):
    # On PostgreSQL the account (no commune's row) is written past row-level security.
    assert login("tinh", "a-long-password").status_code == 302
    assert client.get("/province/2025").status_code == 200
    with across_communes():
        assert db.session.scalar(sa.select(User.last_login).where(User.username == "tinh"))


def test_a_communes_officer_may_not_open_it(client, db, province):
    with commune_scope(province["alpha"]):
        make_user(db, username="vp_alpha", role="admin")
        db.session.commit()
    sign_in_quickly(client, db, "vp_alpha")
    assert client.get("/province/2025").status_code == 403
    with across_communes():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(YearAssessment)) == 1


def test_the_page_is_one_kept_figure_that_survives_pickling(client, db, province):
    """Computed once per change for every worker and host: the value goes through Redis."""
    import pickle

    from survey.province.overview import province_overview

    with across_communes():
        value = province_overview(2025, 5)
    assert pickle.loads(pickle.dumps(value)) == value
    assert [row.code for row in value.satisfaction.communes][-1] == "gamma"
    assert value.trend_years == (2023, 2024, 2025)
    sign_in_quickly(client, db, "tinh")
    page = client.get("/province/2025").get_data(as_text=True)
    assert "Số liệu được tính lúc" in page


def test_each_communes_evaluation_is_taken_as_kept_and_only_a_changed_one_again(
    db, province, monkeypatch
):
    """The page is computed again whenever any commune's data change; each commune's
    evaluation is the one its own dashboards keep, evaluated again only where its data
    changed, and the page is the same as with every commune evaluated afresh."""
    from survey.commune.directory import save_organization
    from survey.core.tenancy import current_commune_id
    from survey.province import overview
    from survey.ratings import reading

    evaluated = []
    evaluate = reading.evaluate_year

    def counted(year):
        evaluated.append(current_commune_id())
        return evaluate(year)

    monkeypatch.setattr(reading, "evaluate_year", counted)
    with across_communes():
        first = overview.province_overview(2025, 5)
        assert sorted(evaluated) == sorted(province.values())
        assert overview.province_overview(2025, 5) == first
        assert len(evaluated) == len(province)
    with commune_scope(province["beta"]):
        new = {"code": "moi", "name": "Mới", "short_name": "", "position": 9, "members_count": None}
        save_organization(None, new)  # audited: beta's data changed
        db.session.commit()
    with across_communes():
        again = overview.province_overview(2025, 5)
        assert evaluated[len(province) :] == [province["beta"]]
        monkeypatch.setattr(overview, "fresh_value", lambda _name, year: evaluate(year))
        assert overview.province_overview(2025, 5) == again  # every commune afresh


def test_the_resolutions_targets_are_judged_per_commune(client, db, province):
    """Each commune's targets from its own year: met where its organization meets them, the
    organization named where it falls short, and nothing judged where none is rated yet."""
    from survey.models import Organization
    from survey.province.overview import province_overview
    from tests.factories import TARGETS_MET, make_indicator

    for code, campaigners in (("alpha", TARGETS_MET["members_end"]), ("beta", 1)):
        with commune_scope(province[code]):
            org = db.session.scalar(sa.select(Organization))
            make_indicator(db, org, campaign_members=campaigners)
            db.session.commit()
    with across_communes():
        value = province_overview(2025, 5)
    rows = {row.code: {t.code: t for t in row.targets} for row in value.targets}
    assert rows["alpha"]["campaigns"].met is True
    assert rows["beta"]["campaigns"].met is False
    assert rows["beta"]["campaigns"].missed == ("nongdan",)
    assert rows["gamma"] == {}  # no annual figures: not rated, nothing judged
    # Tiers: alpha's decision stands; beta's is what its data gives so far.
    tiers = {row.code: row.tiers for row in value.tiers}
    assert tiers["alpha"]["nongdan"].state == "decided"
    assert tiers["beta"]["nongdan"].state == "so_far" and "nongdan" not in tiers["gamma"]

    sign_in_quickly(client, db, "tinh")
    html = client.get("/province/2025").get_data(as_text=True)
    section = html.split("Mục tiêu của Nghị quyết theo từng xã")[1]
    assert "Chưa đạt" in section and "Nông dân" in section
    assert "1 / 2" in section  # one commune of the two rated met the campaigns target
