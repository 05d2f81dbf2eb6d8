"""Dashboards: the committee's overview and an organization's page, with the same numbers as
the Evaluation and Results JSON, small villages hidden, each role in its own place."""

import json
import re

import sqlalchemy as sa

from survey.models import Setting
from tests.factories import (
    COUNTING_FLAGGED,
    make_indicator,
    make_organization,
    make_survey,
    make_unit,
    make_user,
    submit_and_commit,
)

LIKERT = [{"code": f"hl{i}", "kind": "likert5", "criterion": "satisfaction"} for i in (1, 2)]


def commune(db):
    """Two organizations with figures for 2024 and 2025; a satisfaction survey about the first
    in 2025, answered in three villages of 13, 6 and 2 respondents."""
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", short_name="Nông dân")
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ xã", short_name="Phụ nữ")
    villages = [
        make_unit(db, code=code, name=f"Thôn {code[-1]}", adult_population=population)
        for code, population in (("thon1", 300), ("thon2", 100), ("thon3", 50))
    ]
    for org in (nongdan, phunu):
        for year in (2024, 2025):
            make_indicator(db, org, year=year)
    survey = make_survey(db, LIKERT, code="hailong-2025", status="open", year=2025)
    survey.organizations.append(nongdan)
    make_user(db, username="thuongtruc", role="committee")
    make_user(db, username="canbo", role="org_officer", organization=nongdan)
    make_user(db, username="canbo2", role="org_officer", organization=phunu)
    # Two questions, two answer patterns, sent at once: duplicates and bursts to the checks.
    # These pages are about the figures, so the rule set counts the flagged responses.
    db.session.add(Setting(key="RULES_TOML", value=COUNTING_FLAGGED))
    db.session.commit()
    uid = 0
    for village, count in zip(villages, (13, 6, 2), strict=True):
        for i in range(count):
            uid += 1
            answers = {"hl1": 5 if i % 3 else 2, "hl2": 4}
            submit_and_commit(survey, answers, submission_uid=f"u{uid}", unit_id=village.id)
    return survey


def chart_data(html, chart_id):
    found = re.search(
        rf'<script type="application/json" id="{chart_id}-data">(.*?)</script>', html, re.S
    )
    assert found, f"no data for chart {chart_id}"
    return json.loads(found.group(1))


def test_the_overview_shows_every_rating_as_the_api_gives_it(client, db, login):
    commune(db)
    login("thuongtruc", "a-long-password")
    api = client.get("/api/v1/evaluations/2025").get_json()
    html = client.get("/dashboard/?year=2025").get_data(as_text=True)
    for org in api["organizations"]:
        assert org["name"] in html and org["tier_label"] in html
    trend = chart_data(html, "trend")
    assert trend["labels"] == ["2024", "2025"]
    scores = {ds["label"]: ds["data"][-1] for ds in trend["datasets"]}
    assert scores == {
        "Nông dân": api["organizations"][0]["score"],
        "Phụ nữ": api["organizations"][1]["score"],
    }
    criteria = chart_data(html, "criteria")
    assert len(criteria["labels"]) == len(api["organizations"][0]["criteria"])
    # The resolution's targets, each with its verdict
    assert html.count('class="target ') == 5
    assert "từ 50% trở lên" in html


def test_the_overview_defaults_to_the_latest_year_and_refuses_a_year_without_data(
    client, db, login
):
    commune(db)
    login("thuongtruc", "a-long-password")
    assert client.get("/dashboard/").get_data(as_text=True).count('aria-current="page">2025<') == 1
    assert client.get("/dashboard/?year=1999").status_code == 404
    assert client.get("/dashboard/org/nongdan?year=1999").status_code == 404
    assert client.get("/dashboard/org/nobody").status_code == 404


def test_an_officer_is_sent_to_its_own_page_and_kept_from_another(client, db, login):
    commune(db)
    login("canbo", "a-long-password")
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard/org/nongdan")
    assert client.get("/dashboard/org/nongdan").status_code == 200
    assert client.get("/dashboard/org/phunu").status_code == 403


def test_the_organization_page_holds_the_criteria_and_hides_small_villages(client, db, login):
    survey = commune(db)
    login("canbo", "a-long-password")
    html = client.get("/dashboard/org/nongdan?year=2025").get_data(as_text=True)
    results = client.get(f"/api/v1/surveys/{survey.code}/results").get_json()
    api = client.get("/api/v1/evaluations/2025").get_json()["organizations"][0]
    chart = chart_data(html, "criteria")
    satisfaction = next(c for c in api["criteria"] if c["code"] == "satisfaction")
    row = next(r for r in chart["rows"] if r["label"] == satisfaction["label"])
    assert row["value"] == round(100 * satisfaction["value"] / satisfaction["target"], 1)
    assert row["low"] == round(100 * satisfaction["ci"][0] / satisfaction["target"], 1)
    # the questions' texts, numbered
    assert '<span class="muted">Câu 1</span> hl1</td>' in html
    assert '<span class="muted">Câu 2</span> hl2</td>' in html
    # thon3 (2 respondents) is under k = 5; thon2 goes too, or the total would give thon3 away
    assert results["units"]["thon3"]["suppressed"] and results["units"]["thon2"]["suppressed"]
    for village in ("Thôn 2", "Thôn 3"):  # by name, as officers know them
        cells = re.search(rf"<tr><td>{village}</td>(.*?)</tr>", html, re.S).group(1)
        assert re.search(r">\s*\d", cells) is None, cells  # no number in the hidden row
    shown = re.search(r"<tr><td>Thôn 1</td>(.*?)</tr>", html, re.S).group(1)
    assert ">13<" in shown
    likert = chart_data(html, "likert-1")
    assert likert["labels"] == ["hl1", "hl2"]
    assert round(sum(ds["data"][0] for ds in likert["datasets"])) == 100
    hl1 = results["questions"]["hl1"]  # 1 in 3 answered 2, the others 5
    assert likert["datasets"][1]["data"][0] == round(100 * hl1["counts"]["2"] / hl1["n"], 1)


def test_a_surveys_questions_are_rendered_once_per_content_and_language(
    client, db, login, monkeypatch
):
    """An organization's page keeps its surveys' questions as HTML by what they show: asked
    again, nothing is rendered; a village renamed, or another language, is rendered anew."""
    from survey.models import Unit
    from survey.reports import views

    commune(db)
    login("canbo", "a-long-password")
    rendered = []
    macro = views.get_template_attribute

    def counted(template, name):
        rendered.append(name)
        return macro(template, name)

    monkeypatch.setattr(views, "get_template_attribute", counted)
    views._QUESTIONS_HTML.clear()
    first = client.get("/dashboard/org/nongdan?year=2025").get_data(as_text=True)
    assert client.get("/dashboard/org/nongdan?year=2025").get_data(as_text=True) == first
    assert rendered == ["questions"]
    db.session.scalar(sa.select(Unit).where(Unit.code == "thon1")).name = "Thôn Một"
    db.session.commit()
    renamed = client.get("/dashboard/org/nongdan?year=2025").get_data(as_text=True)
    assert "<tr><td>Thôn Một</td>" in renamed and "<tr><td>Thôn 1</td>" not in renamed
    english = client.get("/dashboard/org/nongdan?year=2025&lang=en").get_data(as_text=True)
    assert "Q. 1" in english and "Câu 1" not in english
    assert len(rendered) == 3


def test_the_survey_page_counts_days_and_channels_and_shows_checks_to_readers_only(
    client, db, login
):
    survey = commune(db)
    login("thuongtruc", "a-long-password")
    html = client.get(f"/dashboard/survey/{survey.code}").get_data(as_text=True)
    timeline = chart_data(html, "timeline")
    assert sum(timeline["datasets"][0]["data"]) == 21  # every response, on the day it came
    assert '<td class="num">21</td><td class="num">100%</td>' in html  # all on the web
    assert "Kiểm tra tính trung thực của phiếu" in html
    client.post("/logout")
    login("canbo", "a-long-password")
    html = client.get(f"/dashboard/survey/{survey.code}").get_data(as_text=True)
    assert chart_data(html, "likert")["labels"] == ["hl1", "hl2"]
    assert "Kiểm tra tính trung thực của phiếu" not in html
    for village in ("Thôn 2", "Thôn 3"):  # hidden here as on the organization's page
        cells = re.search(rf"<tr><td>{village}</td>(.*?)</tr>", html, re.S).group(1)
        assert re.search(r">\s*\d", cells) is None, cells
    client.post("/logout")
    login("canbo2", "a-long-password")
    assert client.get(f"/dashboard/survey/{survey.code}").status_code == 403


def test_figures_never_computed_in_this_worker_come_after_a_short_wait(make_app):
    from survey.core.extensions import db
    from tests.ratings.test_kept_figures import wait_for_refreshes

    app = make_app(AGGREGATE_REFRESH="background")
    with app.app_context():
        commune(db)
    client = app.test_client()
    client.post("/login", data={"username": "thuongtruc", "password": "a-long-password"})
    first = client.get("/dashboard/org/nongdan?year=2025")
    assert first.status_code == 202 and first.headers["Retry-After"] == "5"
    html = first.get_data(as_text=True)
    assert "Đang tính số liệu" in html and 'http-equiv="refresh"' in html
    wait_for_refreshes()
    again = client.get("/dashboard/org/nongdan?year=2025")
    assert again.status_code == 200 and "Hội Nông dân xã" in again.get_data(as_text=True)


def test_the_overview_gives_each_organizations_tasks_on_time(client, db, login):
    """Tasks of the year due by today: done by the due date out of all (cancelled left out)."""
    from datetime import date

    import sqlalchemy as sa

    from survey.models import Organization
    from tests.programmes.world import make_task

    commune(db)
    orgs = {o.code: o for o in db.session.scalars(sa.select(Organization))}
    nongdan = orgs["nongdan"]
    make_task(db, nongdan, date(2025, 3, 31), done_on=date(2025, 3, 31))  # on the day
    make_task(db, nongdan, date(2025, 4, 30), done_on=date(2025, 4, 1))
    make_task(db, nongdan, date(2025, 5, 31), done_on=date(2025, 6, 1))  # a day late
    make_task(db, nongdan, date(2025, 6, 30))  # not done
    make_task(db, nongdan, date(2025, 7, 31), status="cancelled", note="Bão")
    make_task(db, orgs["phunu"], date(2024, 6, 30), done_on=date(2024, 6, 1))  # another year
    db.session.commit()
    login("thuongtruc", "a-long-password")
    html = client.get("/dashboard/?year=2025").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td><a [^>]*>([^<]+)</a></td>(.*?)</tr>", html, re.S)
    cells = {
        name: re.search(r'data-label="Việc đúng hạn">(.*?)</td>', row, re.S).group(1)
        for name, row in rows
    }
    assert cells["Hội Nông dân xã"] == "2/4"
    assert "chưa có việc đến hạn" in cells["Hội Phụ nữ xã"]
