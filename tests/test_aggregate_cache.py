"""Kept aggregates: computed once per change of the data; after a change the reader gets the
kept value at once while a background thread computes the new one."""

import threading
import time

from survey.aggregate_cache import cached, data_version
from survey.commune import save_organization
from survey.responses import submit_response
from tests.factories import make_survey


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
    submit_response(survey, {"hl": 4}, submission_uid=uid)


def wait_for_refreshes():
    for _ in range(200):
        if not [t for t in threading.enumerate() if t.name.startswith("refresh ")]:
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
    from survey.extensions import db

    app = make_app(AGGREGATE_MAX_AGE_SECONDS=0)
    with app.app_context():
        world(db)
        _calls, compute = counter()
        cached("k", compute)
        time.sleep(0.01)
        assert cached("k", compute).value == 2


def test_in_the_background_the_reader_gets_the_kept_value_then_the_new_one(make_app):
    from survey.extensions import db

    app = make_app(AGGREGATE_REFRESH="background", AGGREGATE_REFRESH_SECONDS=0)
    with app.app_context():
        survey = world(db)
        _calls, compute = counter()
        assert cached("k", compute).value == 1  # never computed: computed while waiting
        answer(survey, "b")
        kept = cached("k", compute)
        assert (kept.value, kept.stale) == (1, True)
        wait_for_refreshes()
        fresh = cached("k", compute)
        assert (fresh.value, fresh.stale) == (2, False)
        assert fresh.computed_at > kept.computed_at


def test_in_the_background_one_refresh_per_interval_while_answers_keep_coming(make_app):
    from survey.extensions import db

    app = make_app(AGGREGATE_REFRESH="background", AGGREGATE_REFRESH_SECONDS=3600)
    with app.app_context():
        survey = world(db)
        calls, compute = counter()
        cached("k", compute)
        answer(survey, "c")
        assert cached("k", compute).stale
        wait_for_refreshes()
        assert len(calls) == 1  # computed within the interval: no refresh yet
