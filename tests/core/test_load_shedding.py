"""A request that waited too long in front of the workers is refused at once with 503."""

import time

import pytest
import sqlalchemy as sa

from survey.core.extensions import db as _db
from survey.models import Response
from tests.factories import make_defined_survey
from tests.responses.test_views import GOOD, fresh_form


@pytest.fixture
def survey(db):
    return make_defined_survey(db)


def send(app, survey, waited):
    """Good answers, stamped by the proxy `waited` seconds ago."""
    client = app.test_client()
    fields = GOOD | fresh_form(client, survey)
    stamp = {"X-Request-Start": f"t={time.time() - waited:.3f}"}
    return client.post(f"/s/{survey.code}", data=fields, headers=stamp)


def stored():
    return _db.session.scalar(sa.select(sa.func.count()).select_from(Response))


def test_answers_that_waited_too_long_are_refused_whole_and_asked_again(make_app, survey):
    app = make_app(TRUSTED_PROXIES=1, QUEUE_TIMEOUT_SECONDS=10)
    late = send(app, survey, waited=20)
    assert late.status_code == 503 and late.headers["Retry-After"] == "30"
    assert "Tạm thời bận" in late.get_data(as_text=True)
    assert stored() == 0
    assert send(app, survey, waited=2).status_code == 303
    assert stored() == 1


def test_without_a_proxy_the_stamp_is_not_believed(make_app, survey):
    app = make_app(QUEUE_TIMEOUT_SECONDS=10)
    assert send(app, survey, waited=20).status_code == 303
