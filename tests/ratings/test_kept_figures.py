"""Kept aggregates: computed once per change of the data; after a change the reader gets the
kept value at once while a background thread computes the new one."""

import threading
import time

import pytest

from survey.commune.directory import save_organization
from survey.ratings.kept_figures import NotReady, cached, data_version
from tests.factories import make_survey, submit_and_commit


def world(db):
    survey = make_survey(db, [{"code": "hl", "kind": "likert5"}], status="open")
    db.session.commit()
    return survey


def counter():
    calls = []

    def compute():
        calls.append(data_version())
        return len(calls)

    return calls, compute


def answer(survey, uid):
    submit_and_commit(survey, {"hl": 4}, submission_uid=uid)


def wait_for_refreshes():
    for _ in range(200):
        if not [t for t in threading.enumerate() if t.name == "refresh kept figures"]:
            return
        time.sleep(0.02)
    raise AssertionError("a background refresh did not finish")


def test_computed_once_while_nothing_changes_and_again_after_a_response(app, db):
    survey = world(db)
    calls, compute = counter()
    first = cached("k", compute)
    assert (first.value, first.stale) == (1, False)
    assert cached("k", compute).value == 1 and len(calls) == 1
    answer(survey, "a")
    again = cached("k", compute)  # inline refresh (the tests' setting)
    assert (again.value, again.stale) == (2, False)
    assert calls[1] != calls[0]


def test_an_audited_change_also_counts(app, db):
    world(db)
    _calls, compute = counter()
    cached("k", compute)
    save_organization(
        None, {"code": "moi", "name": "Mới", "short_name": "", "position": 9, "members_count": None}
    )  # audited, no response
    db.session.commit()
    assert cached("k", compute).value == 2


def test_a_value_older_than_the_limit_is_recomputed(make_app):
    from survey.core.extensions import db

    app = make_app(AGGREGATE_MAX_AGE_SECONDS=0)
    with app.app_context():
        world(db)
        _calls, compute = counter()
        cached("k", compute)
        time.sleep(0.01)
        assert cached("k", compute).value == 2


def test_in_the_background_the_reader_gets_the_kept_value_then_the_new_one(make_app):
    from survey.core.extensions import db

    app = make_app(AGGREGATE_REFRESH="background", AGGREGATE_REFRESH_SECONDS=0)
    with app.app_context():
        survey = world(db)
        _calls, compute = counter()
        with pytest.raises(NotReady):  # never computed here: queued, the reader comes back
            cached("k", compute)
        wait_for_refreshes()
        assert cached("k", compute).value == 1
        answer(survey, "b")
        kept = cached("k", compute)
        assert (kept.value, kept.stale) == (1, True)
        wait_for_refreshes()
        fresh = cached("k", compute)
        assert (fresh.value, fresh.stale) == (2, False)
        assert fresh.computed_at > kept.computed_at


def test_in_the_background_one_refresh_per_interval_while_answers_keep_coming(make_app):
    from survey.core.extensions import db

    app = make_app(AGGREGATE_REFRESH="background", AGGREGATE_REFRESH_SECONDS=3600)
    with app.app_context():
        survey = world(db)
        calls, compute = counter()
        with pytest.raises(NotReady):
            cached("k", compute)
        wait_for_refreshes()
        answer(survey, "c")
        assert cached("k", compute).stale
        wait_for_refreshes()
        assert len(calls) == 1  # computed within the interval: no refresh yet


def test_answers_to_another_year_leave_a_year_scoped_figure_alone(app, db):
    from survey.ratings.kept_figures import latest_response_of_years

    last_year = make_survey(db, [{"code": "hl", "kind": "likert5"}], status="open", year=2024)
    this_year = make_survey(db, [{"code": "hl", "kind": "likert5"}], status="open", year=2025)
    db.session.commit()
    calls, compute = counter()
    cached("2024", compute, latest_response_of_years(2024))
    answer(this_year, "d")
    assert cached("2024", compute, latest_response_of_years(2024)).value == 1
    answer(last_year, "e")
    assert cached("2024", compute, latest_response_of_years(2024)).value == 2


def test_an_import_of_old_paper_sheets_counts_as_a_change(app, db, runner, tmp_path):
    from survey.ratings.kept_figures import latest_response_of_years

    survey = make_survey(db, [{"code": "hl", "kind": "likert5"}], status="open", year=2025)
    db.session.commit()
    answer(survey, "f")  # today
    _calls, compute = counter()
    cached("2025", compute, latest_response_of_years(2025))
    path = tmp_path / "old.csv"
    path.write_text(
        "submission_uid,unit,submitted_at,channel,lang,hl\np-1,,2025-10-01T08:00,paper,vi,4\n",
        encoding="utf-8",
    )  # older than the newest response: only the audit entry says something changed
    assert runner.invoke(args=["responses", "import", survey.code, str(path)]).exit_code == 0
    assert cached("2025", compute, latest_response_of_years(2025)).value == 2
