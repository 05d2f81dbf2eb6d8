"""Member surveys: one printed slip, one answer; nothing links the slip to the answer."""

import re
import uuid

import pytest
import sqlalchemy as sa

from survey.core.extensions import db as _db
from survey.models import Invitation, Response
from survey.responses.invitations import (
    InvitationRefused,
    create_invitations,
    format_code,
    normalize_code,
)
from tests.concurrency import race
from tests.factories import make_defined_survey, make_unit, submit_and_commit

QUESTIONS = [{"code": "hl", "kind": "likert5", "required": True, "text": {"vi": "Hài lòng?"}}]


@pytest.fixture
def member_survey(db):
    return make_defined_survey(db, audience="member", topic="participation", questions=QUESTIONS)


@pytest.fixture
def unit(db):
    unit = make_unit(db, code="thon4", name="Thôn 4")
    db.session.commit()
    return unit


def slip_codes(db, survey, unit, count=2):
    codes = create_invitations(survey, unit, count)
    db.session.commit()
    return codes


def open_form(client, survey, code):
    page = client.get(f"/s/{survey.code}?k={code}")
    html = page.get_data(as_text=True)
    fields = dict(
        re.findall(r'name="(submission_uid|started)" type="hidden" value="([^"]*)"', html)
    )
    return page, html, fields


def count(model):
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_member_survey_asks_for_the_slip_code(client, member_survey):
    page = client.get(f"/s/{member_survey.code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Mã trên phiếu mời" in html and 'name="q_hl"' not in html


def test_wrong_code_says_so(client, member_survey, unit, db):
    slip_codes(db, member_survey, unit)
    page = client.get(f"/s/{member_survey.code}?k=AAAA-BBBB")
    assert page.status_code == 404
    assert "không đúng" in page.get_data(as_text=True)


def test_a_slip_counts_once(client, member_survey, unit, db):
    code = slip_codes(db, member_survey, unit)[0]
    page, html, fields = open_form(client, member_survey, code.lower())  # typed in lower case
    assert page.status_code == 200 and 'name="q_hl"' in html and "Thôn 4" in html
    data = fields | {"k": format_code(code), "q_hl": "5"}
    sent = client.post(f"/s/{member_survey.code}", data=data)
    assert sent.status_code == 303
    response = _db.session.scalar(sa.select(Response))
    assert response.unit_id == unit.id

    # The slip is used: the form still opens (it tells nobody so), a second answer is refused.
    assert client.get(f"/s/{member_survey.code}?k={code}").status_code == 200
    again = client.post(
        f"/s/{member_survey.code}", data=data | {"submission_uid": str(uuid.uuid4())}
    )
    assert again.status_code == 422
    assert "đã được dùng" in again.get_data(as_text=True)
    assert count(Response) == 1

    # Resending the very same submission (an offline queue) still gets its receipt.
    resent = client.post(f"/s/{member_survey.code}", data=data)
    assert resent.status_code == 303 and resent.headers["Location"] == sent.headers["Location"]


def masked(html, code):
    """A page with its one-off values (submission id, start time, CSRF token) and the slip's
    code, as typed or as shown, blanked: what is left is what the page says of the slip."""
    html = re.sub(
        r'(name="(?:submission_uid|started|csrf_token)" type="hidden" value=")[^"]*"', r"\1", html
    )
    return html.replace(format_code(normalize_code(code)), "CODE").replace(code, "CODE")


def test_the_form_does_not_tell_whether_a_slip_was_used(client, member_survey, unit, db):
    """Whoever printed the slips cannot watch, by opening the form with a member's code,
    when that member answered."""
    used, unused = slip_codes(db, member_survey, unit)
    _page, _html, fields = open_form(client, member_survey, used)
    sent = client.post(f"/s/{member_survey.code}", data=fields | {"k": used, "q_hl": "2"})
    assert sent.status_code == 303

    looks = [client.get(f"/s/{member_survey.code}?k={code}") for code in (used, unused)]
    assert [look.status_code for look in looks] == [200, 200]
    assert masked(looks[0].get_data(as_text=True), used) == masked(
        looks[1].get_data(as_text=True), unused
    )
    # Nor does sending answers that are not complete yet: only a whole answer uses a slip.
    incomplete = [
        client.post(
            f"/s/{member_survey.code}",
            data={"submission_uid": str(uuid.uuid4()), "k": code, "q_hl": ""},
        )
        for code in (used, unused)
    ]
    assert [page.status_code for page in incomplete] == [422, 422]
    assert masked(incomplete[0].get_data(as_text=True), used) == masked(
        incomplete[1].get_data(as_text=True), unused
    )
    assert count(Response) == 1


def test_a_used_slip_is_refused_as_an_unknown_code_is(client, member_survey, unit, db):
    used = slip_codes(db, member_survey, unit, count=1)[0]
    _page, _html, fields = open_form(client, member_survey, used)
    client.post(f"/s/{member_survey.code}", data=fields | {"k": used, "q_hl": "2"})
    codes = (used, "AAAABBBB")
    refused = [
        client.post(
            f"/s/{member_survey.code}",
            data={"submission_uid": str(uuid.uuid4()), "k": code, "q_hl": "4"},
        )
        for code in codes
    ]
    assert [page.status_code for page in refused] == [422, 422]
    html = [
        masked(page.get_data(as_text=True), code) for page, code in zip(refused, codes, strict=True)
    ]
    assert "đã được dùng" in html[0]
    assert html[0] == html[1]
    assert count(Response) == 1


def test_a_slip_keeps_that_it_was_used_never_when(client, member_survey, unit, db):
    code = slip_codes(db, member_survey, unit, count=1)[0]
    _page, _html, fields = open_form(client, member_survey, code)
    client.post(f"/s/{member_survey.code}", data=fields | {"k": code, "q_hl": "3"})
    invitation = _db.session.scalar(sa.select(Invitation))
    assert invitation.used is True
    # The only date a slip keeps is the day it was printed.
    dated = [
        c.name
        for c in Invitation.__table__.columns
        if isinstance(c.type, sa.Date | sa.DateTime) or "_at" in c.name
    ]
    assert dated == ["created_on"]
    response_columns = {c.name for c in Response.__table__.columns}
    assert not any("invit" in name or "code_hash" in name for name in response_columns)
    stored = _db.session.scalar(sa.select(Response))
    assert code not in " ".join(str(getattr(stored, c)) for c in response_columns)


def test_two_phones_with_one_slip_exactly_one_succeeds(app, member_survey, unit, db):
    code = slip_codes(db, member_survey, unit, count=1)[0]

    def phone(survey):
        try:
            submit_and_commit(
                survey, {"hl": 4}, submission_uid=str(uuid.uuid4()), invitation_code=code
            )
        except InvitationRefused:
            return "refused"
        return "stored"

    outcomes, errors = race(app, member_survey, 2, phone)
    assert errors == []
    assert sorted(outcomes) == ["refused", "stored"]
    assert count(Response) == 1


def test_invitations_only_for_member_surveys(db, unit):
    public = make_defined_survey(db, questions=QUESTIONS)
    with pytest.raises(ValueError, match="for the public"):
        create_invitations(public, unit, 3)


def test_cli_writes_printable_slips_with_working_codes(app, runner, member_survey, unit, tmp_path):
    out = tmp_path / "slips.html"
    result = runner.invoke(
        args=[
            "survey",
            "invite",
            member_survey.code,
            "--unit",
            "thon4",
            "--count",
            "4",
            "-o",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    codes = re.findall(r'class="code">([A-Z0-9]{4}-[A-Z0-9]{4})<', html)
    assert len(codes) == 4 and "Thôn 4" in html
    assert html.count('src="data:image/svg+xml;base64,') == 4
    assert count(Invitation) == 4
    client = app.test_client()
    assert client.get(f"/s/{member_survey.code}?k={codes[0]}").status_code == 200


def test_cli_refuses_public_surveys_and_unknown_villages(runner, db, unit, tmp_path):
    public = make_defined_survey(db, questions=QUESTIONS)
    out = str(tmp_path / "x.html")
    refused = runner.invoke(
        args=["survey", "invite", public.code, "--unit", "thon4", "--count", "2", "-o", out]
    )
    assert refused.exit_code != 0 and "for the public" in refused.output
    member = make_defined_survey(db, audience="member", questions=QUESTIONS)
    unknown = runner.invoke(
        args=["survey", "invite", member.code, "--unit", "nowhere", "--count", "2", "-o", out]
    )
    assert unknown.exit_code != 0 and "no unit with code 'nowhere'" in unknown.output
    assert count(Invitation) == 0
