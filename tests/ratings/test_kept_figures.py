"""Kept figures in one process (no REDIS_URL: the embedded default): computed once per change of
the data; after a change the reader gets the kept value at once while a background thread
computes the new one. Shared in Redis: tests/ratings/test_shared_figures.py."""

import threading
import time

import pytest

from survey.commune.directory import save_organization
from survey.core.tenancy import commune_scope, current_commune_id
from survey.ratings.kept_figures import (
    NotReady,
    data_version,
    figure,
    fresh_value,
    kept,
    latest_response_of_years,
)
from tests.factories import make_survey, submit_and_commit

CALLS = []


@figure("test: counted")
def counted():
    CALLS.append(data_version())
    return len(CALLS)


@figure("test: counted in a year", scope=latest_response_of_years)
def counted_in_year(_year):
    return counted()


@figure("test: whose")
def whose():
    CALLS.append(current_commune_id())
    return current_commune_id()


@pytest.fixture(autouse=True)
def calls():
    CALLS.clear()
    yield CALLS
    CALLS.clear()


def world(db):
    survey = make_survey(db, [{"code": "hl", "kind": "likert5"}], status="open")
    db.session.commit()
    return survey


def answer(survey, uid):
    submit_and_commit(survey, {"hl": 4}, submission_uid=uid)


def wait_for_refreshes():
    for _ in range(200):
        if not [t for t in threading.enumerate() if t.name == "refresh kept figures"]:
            return
        time.sleep(0.02)
    raise AssertionError("a background refresh did not finish")


def test_computed_once_while_nothing_changes_and_again_after_a_response(app, db, calls):
    survey = world(db)
    first = kept("test: counted")
    assert (first.value, first.stale) == (1, False)
    assert kept("test: counted").value == 1 and len(calls) == 1
    answer(survey, "a")
    again = kept("test: counted")  # inline refresh (the tests' setting)
    assert (again.value, again.stale) == (2, False)
    assert calls[1] != calls[0]


def test_an_audited_change_also_counts(app, db):
    world(db)
    kept("test: counted")
    save_organization(
        None, {"code": "moi", "name": "Mới", "short_name": "", "position": 9, "members_count": None}
    )  # audited, no response
    db.session.commit()
    assert kept("test: counted").value == 2


def test_a_value_older_than_the_limit_is_recomputed(make_app):
    from survey.core.extensions import db

    app = make_app(AGGREGATE_MAX_AGE_SECONDS=0)
    with app.app_context():
        world(db)
        kept("test: counted")
        time.sleep(0.01)
        assert kept("test: counted").value == 2


def test_in_the_background_the_reader_gets_the_kept_value_then_the_new_one(make_app):
    from survey.core.extensions import db

    app = make_app(AGGREGATE_REFRESH="background", AGGREGATE_REFRESH_SECONDS=0)
    with app.app_context():
        survey = world(db)
        with pytest.raises(NotReady):  # never computed here: queued, the reader comes back
            kept("test: counted")
        wait_for_refreshes()
        assert kept("test: counted").value == 1
        answer(survey, "b")
        before = kept("test: counted")
        assert (before.value, before.stale) == (1, True)
        wait_for_refreshes()
        fresh = kept("test: counted")
        assert (fresh.value, fresh.stale) == (2, False)
        assert fresh.computed_at > before.computed_at


def test_in_the_background_one_refresh_per_interval_while_answers_keep_coming(make_app, calls):
    from survey.core.extensions import db

    app = make_app(AGGREGATE_REFRESH="background", AGGREGATE_REFRESH_SECONDS=3600)
    with app.app_context():
        survey = world(db)
        with pytest.raises(NotReady):
            kept("test: counted")
        wait_for_refreshes()
        answer(survey, "c")
        assert kept("test: counted").stale
        wait_for_refreshes()
        assert len(calls) == 1  # computed within the interval: no refresh yet


def test_answers_to_another_year_leave_a_year_scoped_figure_alone(app, db):
    last_year = make_survey(db, [{"code": "hl", "kind": "likert5"}], status="open", year=2024)
    this_year = make_survey(db, [{"code": "hl", "kind": "likert5"}], status="open", year=2025)
    db.session.commit()
    kept("test: counted in a year", 2024)
    answer(this_year, "d")
    assert kept("test: counted in a year", 2024).value == 1
    answer(last_year, "e")
    assert kept("test: counted in a year", 2024).value == 2


def test_an_import_of_old_paper_sheets_counts_as_a_change(app, db, runner, tmp_path):
    survey = make_survey(db, [{"code": "hl", "kind": "likert5"}], status="open", year=2025)
    db.session.commit()
    answer(survey, "f")  # today
    kept("test: counted in a year", 2025)
    path = tmp_path / "old.csv"
    path.write_text(
        "submission_uid,unit,submitted_at,channel,lang,hl\np-1,,2025-10-01T08:00,paper,vi,4\n",
        encoding="utf-8",
    )  # older than the newest response: only the audit entry says something changed
    assert runner.invoke(args=["responses", "import", survey.code, str(path)]).exit_code == 0
    assert kept("test: counted in a year", 2025).value == 2


def test_each_commune_keeps_its_own_figure(app, db, calls):
    world(db)
    with commune_scope(1):
        assert kept("test: whose").value == 1
    with commune_scope(2):
        assert kept("test: whose").value == 2
        assert kept("test: whose").value == 2
    with commune_scope(1):
        assert kept("test: whose").value == 1
    assert kept("test: whose").value is None  # no commune chosen: a key of its own
    assert calls == [1, 2, None]


def test_the_background_thread_computes_in_the_commune_it_was_asked_for(make_app, calls):
    from survey.core.extensions import db

    app = make_app(AGGREGATE_REFRESH="background")
    with app.app_context():
        world(db)
        for commune in (7, 8):
            with commune_scope(commune), pytest.raises(NotReady):
                kept("test: whose")
        wait_for_refreshes()
        for commune in (7, 8):
            with commune_scope(commune):
                found = kept("test: whose")
                assert (found.value, found.stale) == (commune, False)
        assert sorted(calls) == [7, 8]


def test_a_fresh_value_is_the_kept_one_while_current_and_computed_after_a_change(make_app, calls):
    """A figure made of others (the province's page, of every commune's evaluation) takes each
    as kept while the data have not changed, and computes it, and keeps it for its own
    readers, when they have: no background refresh to wait for."""
    from survey.core.extensions import db

    app = make_app(AGGREGATE_REFRESH="background")
    with app.app_context():
        survey = world(db)
        assert fresh_value("test: counted") == 1
        assert fresh_value("test: counted") == 1
        assert (kept("test: counted").value, kept("test: counted").stale) == (1, False)
        answer(survey, "a")
        assert fresh_value("test: counted") == 2
        assert (kept("test: counted").value, kept("test: counted").stale) == (2, False)
    assert len(calls) == 2


def test_a_figure_is_registered_under_one_name_only():
    def other():
        return 0

    with pytest.raises(ValueError, match="test: counted"):
        figure("test: counted")(other)
    figure("test: counted")(counted)  # the same function again (a module imported twice): fine
