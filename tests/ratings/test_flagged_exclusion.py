"""The rule set chooses whether flagged responses count in the rating (issue 13, point 9).

By default they are left out and the explanation says how many and why; with the choice off
they count and the criterion they change is marked "to review", as before. The Evaluation
JSON, the command line, the ratings page, the year report and the finalized snapshot agree.
"""

import json
from datetime import datetime, timedelta, timezone
from itertools import count

import pytest
import sqlalchemy as sa

from survey.models import Response, Unit
from survey.ratings.evaluation import evaluate_year
from survey.ratings.finalization import finalize_year
from survey.ratings.reading import year_document
from tests.factories import (
    COUNTING_FLAGGED,
    make_indicator,
    make_organization,
    make_survey,
    make_unit,
    make_user,
    save_setting,
    submit_and_commit,
)
from tests.test_route_access import sign_in_quickly

QUESTIONS = [
    {"code": "hl1", "kind": "likert5", "criterion": "satisfaction"},
    {"code": "hl2", "kind": "likert5", "criterion": "satisfaction"},
    {"code": "so_nha", "kind": "number", "min_value": 1, "max_value": 999},
]
LEFT_OUT = (
    "Theo bộ tiêu chí, 20 phiếu bị gắn cờ không được tính vào các tiêu chí khảo sát "
    "(dồn dập từ một thôn: 20; trùng hệt nhau: 20; trả lời quá nhanh: 20; một phiếu có thể bị "
    "nhiều kiểm tra gắn cờ); kết quả khảo sát tính trên các phiếu còn lại."
)
COUNTED = (
    "Theo bộ tiêu chí, 20 phiếu bị gắn cờ vẫn được tính vào các tiêu chí khảo sát "
    "(dồn dập từ một thôn: 20; trùng hệt nhau: 20; trả lời quá nhanh: 20; một phiếu có thể bị "
    "nhiều kiểm tra gắn cờ)."
)
TO_REVIEW_LEFT_OUT = (
    "Cần xem xét: nếu tính cả các phiếu bị gắn cờ thì kết quả tiêu chí Mức độ hài lòng của "
    "Nhân dân, hội viên (khảo sát) sẽ khác."
)
TO_REVIEW_COUNTED = (
    "Cần xem xét: bỏ các phiếu bị gắn cờ thì kết quả tiêu chí Mức độ hài lòng của Nhân dân, "
    "hội viên (khảo sát) thay đổi."
)
_uid = count(1)


def answer(db, survey, unit, values, house, at, duration):
    submit_and_commit(
        survey,
        {"hl1": values[0], "hl2": values[1], "so_nha": house},
        submission_uid=f"uid-{next(_uid)}",
        unit_id=unit.id,
    )
    last = db.session.scalar(sa.select(sa.func.max(Response.id)))
    db.session.execute(
        sa.update(Response).where(Response.id == last).values(submitted_at=at, duration_s=duration)
    )
    db.session.commit()


@pytest.fixture
def stuffed(db):
    """60 honest answers over 30 days, half of them satisfied, each from its own house; then one
    evening of 20 identical all-5 answers in thôn 2 within eight minutes, 20 seconds each."""
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã")
    thon1 = make_unit(db, code="thon1", adult_population=300)
    thon2 = make_unit(db, code="thon2", adult_population=100)
    make_indicator(db, nongdan)
    make_user(db, username="thuongtruc", role="committee")
    make_user(db, username="ubkt", role="inspector")
    survey = make_survey(db, QUESTIONS, code="hl-nongdan-2025", status="open")
    survey.organizations.append(nongdan)
    db.session.commit()
    start = datetime(2025, 10, 1, 0, 0, tzinfo=timezone.utc)
    for i in range(60):
        values = ((5, 4), (4, 3), (2, 3), (4, 2))[i % 4]
        at = start + timedelta(hours=12 * i)
        answer(db, survey, thon1 if i % 2 else thon2, values, 100 + i, at, 300)
    evening = datetime(2025, 10, 20, 13, 0, tzinfo=timezone.utc)
    for i in range(20):
        answer(db, survey, thon2, (5, 5), 1, evening + timedelta(seconds=20 * i), 20)
    return survey


def counting(db):
    save_setting(db, "RULES_TOML", value=COUNTING_FLAGGED)
    db.session.commit()


def nongdan(document):
    org = next(o for o in document["organizations"] if o["org"] == "nongdan")
    return org, next(c for c in org["criteria"] if c["code"] == "satisfaction")


def test_by_default_flagged_responses_are_left_out_and_the_explanation_says_so(db, stuffed):
    document = year_document(2025)
    org, satisfaction = nongdan(document)
    assert document["flagged_excluded"] is True and org["flagged_excluded"] is True
    assert org["flagged"] == {
        "responses": 20,
        "kinds": {"burst": 20, "duplicate": 20, "speeder": 20},
    }
    assert satisfaction["n"] == 60  # the honest ones only
    assert satisfaction["value"] == pytest.approx(0.5)
    assert satisfaction["sensitive"] is True
    assert LEFT_OUT in org["notes"] and TO_REVIEW_LEFT_OUT in org["notes"]
    english = nongdan(year_document(2025, lang="en"))[0]["notes"]
    assert any("20 flagged responses were left out of the survey criteria" in n for n in english)


def test_with_the_choice_off_they_count_as_before_and_the_explanation_says_so(db, stuffed):
    counting(db)
    document = year_document(2025)
    org, satisfaction = nongdan(document)
    assert document["flagged_excluded"] is False and org["flagged_excluded"] is False
    assert org["flagged"]["responses"] == 20
    assert satisfaction["n"] == 80
    assert satisfaction["value"] > 0.54  # the stuffed evening lifts it
    assert satisfaction["sensitive"] is True
    assert COUNTED in org["notes"] and TO_REVIEW_COUNTED in org["notes"]


def test_the_rule_set_page_states_the_choice(app, db, stuffed):
    make_user(db, username="vanphong", role="admin")
    db.session.commit()
    client = app.test_client()
    sign_in_quickly(client, db, "vanphong")
    page = client.get("/manage/admin/rules").get_data(as_text=True)
    assert "không được tính vào các tiêu chí khảo sát" in page
    assert "exclude_flagged = false" in page  # what to write for the other choice
    saved = client.post("/manage/admin/rules", data={"rules": COUNTING_FLAGGED})
    assert saved.status_code == 302
    page = client.get("/manage/admin/rules").get_data(as_text=True)
    assert "vẫn được tính vào các tiêu chí khảo sát" in page
    bad = client.post("/manage/admin/rules", data={"rules": "[integrity]\nexclude_flagged = 1\n"})
    assert bad.status_code == 422
    assert "integrity.exclude_flagged must be true or false" in bad.get_data(as_text=True)


@pytest.mark.parametrize("exclude", [True, False])
def test_the_command_line_the_ratings_page_and_the_year_report_agree(
    app, db, runner, stuffed, exclude
):
    if not exclude:
        counting(db)
    note = LEFT_OUT if exclude else COUNTED
    computed = runner.invoke(args=["evaluate", "--year", "2025", "--format", "json"])
    assert computed.exit_code == 0, computed.output
    document = json.loads(computed.output)
    org, satisfaction = nongdan(document)
    assert document["flagged_excluded"] is exclude and note in org["notes"]
    assert satisfaction["n"] == (60 if exclude else 80)
    table = runner.invoke(args=["evaluate", "--year", "2025", "--format", "table"]).output
    assert note in table
    client = app.test_client()
    sign_in_quickly(client, db, "thuongtruc")
    assert note in client.get("/manage/ratings/2025").get_data(as_text=True)
    assert note in client.get("/dashboard/org/nongdan?year=2025").get_data(as_text=True)
    assert note in client.get("/dashboard/report/2025.html").get_data(as_text=True)
    ratings_page = client.get("/manage/ratings/2025").get_data(as_text=True)
    assert f"</abbr> = {satisfaction['n']} " in ratings_page  # n = 60, the same count


def test_the_finalized_snapshot_keeps_the_choice_it_was_made_with(db, stuffed):
    finalize_year(2025, None)
    db.session.commit()
    counting(db)  # the rule set changes after the year was finalized
    org, satisfaction = nongdan(year_document(2025))
    assert org["finalized"] and org["flagged_excluded"] is True
    assert satisfaction["n"] == 60 and LEFT_OUT in org["notes"]
    assert org["changed_since_finalization"] is True  # today's rules would count 80
    assert evaluate_year(2025).rules.exclude_flagged is False


def test_without_flagged_responses_the_explanation_says_nothing_of_them(db, stuffed):
    db.session.execute(sa.delete(Response).where(Response.duration_s == 20))
    db.session.commit()
    org, satisfaction = nongdan(year_document(2025))
    assert org["flagged"] == {"responses": 0, "kinds": {}}
    assert satisfaction["n"] == 60 and not satisfaction["sensitive"]
    assert not any("gắn cờ" in note for note in org["notes"])


@pytest.mark.parametrize(("exclude", "share_now"), [(True, 0.5), (False, 0.625)])
def test_the_change_since_last_year_counts_what_the_rating_counts(db, stuffed, exclude, share_now):
    from survey.ratings.evaluation import comparisons

    if not exclude:
        counting(db)
    last_year = make_survey(db, QUESTIONS, code="hl-nongdan-2024", status="closed", year=2024)
    last_year.organizations.append(stuffed.organizations[0])
    db.session.commit()
    thon1 = db.session.scalar(sa.select(Unit).where(Unit.code == "thon1"))
    start = datetime(2024, 10, 1, tzinfo=timezone.utc)
    for i in range(8):  # 2024: 4 of 16 answers in the top two
        answer(
            db,
            last_year,
            thon1,
            (4, 2) if i % 2 else (3, 2),
            200 + i,
            start + timedelta(days=i),
            300,
        )
    found = {(c.kind, c.subject): c for c in comparisons(2025)}
    assert found[("year_over_year", "nongdan")].shares == (0.25, share_now)
