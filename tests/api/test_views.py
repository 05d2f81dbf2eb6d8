"""The JSON API: the year's evaluation, scoped to what the role may read."""

from tests.factories import make_organization, make_user


def _two_organizations(db):
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã")
    make_organization(db, code="phunu", name="Hội Phụ nữ xã")
    make_user(db, username="committee", role="committee")
    make_user(db, username="officer", role="org_officer", organization=nongdan)
    db.session.commit()


def test_committee_reads_every_organization(client, db, login):
    _two_organizations(db)
    login("committee", "a-long-password")
    document = client.get("/api/v1/evaluations/2025").get_json()
    assert document["year"] == 2025
    assert [o["org"] for o in document["organizations"]] == ["nongdan", "phunu"]
    # No annual figures: not enough evidence to rate (not a failure).
    assert document["organizations"][0]["tier_label"] == "Chưa đủ căn cứ để xếp loại"
    assert document["organizations"][0]["score"] is None


def test_an_organization_officer_reads_its_own_only(client, db, login):
    _two_organizations(db)
    login("officer", "a-long-password")
    document = client.get("/api/v1/evaluations/2025?lang=en").get_json()
    assert [o["org"] for o in document["organizations"]] == ["nongdan"]
    assert document["organizations"][0]["tier_label"] == "Not enough evidence to rate"


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/api/v1/evaluations/2025")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_survey_results_json_with_small_villages_hidden(client, db, login):
    from tests.factories import make_survey, make_unit, submit_and_commit

    nongdan = make_organization(db, code="nongdan")
    make_user(db, username="committee", role="committee")
    big = make_unit(db, code="thon1")
    other = make_unit(db, code="thon2")
    small = make_unit(db, code="kdung")
    questions = [
        {"code": f"hl{i}", "kind": "likert5", "criterion": "satisfaction"} for i in (1, 2)
    ] + [{"code": "y_kien", "kind": "text"}]
    survey = make_survey(db, questions, code="hl-2025", status="closed")  # every answer counts
    survey.organizations.append(nongdan)
    db.session.commit()
    answers = [(big, 5, 4)] * 6 + [(big, 2, 2)] * 2 + [(other, 4, 5)] * 6 + [(small, 1, 1)] * 2
    for n, (unit, a, b) in enumerate(answers):
        submit_and_commit(
            survey,
            {"hl1": a, "hl2": b, "y_kien": "ý kiến"},
            submission_uid=f"u{n}",
            unit_id=unit.id,
        )
    login("committee", "a-long-password")
    document = client.get("/api/v1/surveys/hl-2025/results").get_json()
    assert document["n"] == 16
    assert document["questions"]["hl1"]["counts"] == {"1": 2, "2": 2, "4": 6, "5": 6}
    assert document["questions"]["hl1"]["top2"] == 0.75
    assert "y_kien" not in document["questions"]  # free text is never in the results
    assert document["units"]["kdung"] == {"n": None, "suppressed": True, "questions": None}
    # kdung's 2 could be worked out from 16 - 8 - 6: the next smallest village is hidden too.
    assert document["units"]["thon2"]["suppressed"] is True
    assert document["units"]["thon1"]["questions"]["hl1"]["top2"] == 0.75
    # Reference: alpha from the item covariance matrix of the 16 complete answers.
    import numpy as np

    items = np.array([[a, b] for _u, a, b in answers], dtype=float)
    cov = np.cov(items, rowvar=False)
    expected = 2 * (1 - np.trace(cov) / cov.sum())
    assert document["criteria"]["satisfaction"]["n"] == 16
    assert abs(document["criteria"]["satisfaction"]["alpha"] - expected) < 1e-4


def test_the_evaluation_is_kept_not_computed_on_every_call(client, db, login, monkeypatch):
    """0.8 s a call at 300,000 responses: computed once while the data stay the same."""
    from survey.ratings import evaluation, reading

    calls = []

    def counted(year):
        calls.append(year)
        return evaluation.evaluate_year(year)

    monkeypatch.setattr(reading, "evaluate_year", counted)
    _two_organizations(db)
    login("committee", "a-long-password")
    first = client.get("/api/v1/evaluations/2025").get_json()
    assert client.get("/api/v1/evaluations/2025").get_json() == first
    assert client.get("/api/v1/evaluations/2025?lang=en").status_code == 200
    assert calls == [2025]


def test_the_survey_results_are_kept_too(client, db, login, monkeypatch):
    from survey.reports import dashboards, results
    from tests.factories import make_survey

    calls = []

    def counted(survey):
        calls.append(survey.code)
        return results.survey_results(survey)

    monkeypatch.setattr(dashboards, "survey_results", counted)
    monkeypatch.setattr("survey.api.views.survey_results", counted, raising=False)
    make_survey(db, [{"code": "hl", "kind": "likert5"}], code="hl-2025", status="open")
    _two_organizations(db)
    login("committee", "a-long-password")
    for _ in range(3):
        assert client.get("/api/v1/surveys/hl-2025/results").status_code == 200
    assert calls == ["hl-2025"]


def test_while_the_first_evaluation_is_computed_the_api_says_so(make_app):
    """As the dashboards do: no reader waits for a first computation; 202, and when to ask
    again, until it is ready."""
    from survey.core.extensions import db
    from tests.ratings.test_kept_figures import wait_for_refreshes

    app = make_app(AGGREGATE_REFRESH="background")
    with app.app_context():
        _two_organizations(db)
    client = app.test_client()
    client.post("/login", data={"username": "committee", "password": "a-long-password"})
    waiting = client.get("/api/v1/evaluations/2025")
    assert waiting.status_code == 202
    assert waiting.get_json() == {"status": "computing", "retry_after": 5}
    assert waiting.headers["Retry-After"] == "5"
    wait_for_refreshes()
    ready = client.get("/api/v1/evaluations/2025")
    assert ready.status_code == 200 and ready.get_json()["year"] == 2025
