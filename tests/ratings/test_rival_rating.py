"""One organization's officer cannot rig another's rating (issue 13, point 2).

The attack as the red team ran it: the Farmers' Union's officer tagged a question of its own
survey to the Women's Union and typed 300 paper sheets of "1" into it, which dropped the Women's
Union's satisfaction while the survey never showed on the Women's Union's pages. Here: the tag
is refused wherever a tag is set, paper entry into a survey about other organizations is the
office's and the villages', a survey that counts toward an organization shows on its pages with
where it came from, and sheets typed faster than a person types are flagged and left out.
"""

from datetime import datetime, timedelta, timezone
from itertools import count

import pytest
import sqlalchemy as sa

from survey.commune.about import about_pairs
from survey.core.extensions import db as _db
from survey.models import (
    FastSheet,
    PaperTyping,
    Question,
    Response,
    ResponseCriterion,
    Setting,
    Survey,
)
from survey.paper import entry
from survey.ratings.evaluation import evaluate_year
from survey.ratings.integrity_checks import survey_integrity
from survey.ratings.year_scan import about_rows
from tests.concurrency import race
from tests.factories import (
    COUNTING_FLAGGED,
    make_indicator,
    make_organization,
    make_survey,
    make_unit,
    make_user,
    submit_and_commit,
)
from tests.surveys.test_views import question_fields, survey_fields
from tests.test_route_access import sign_in_quickly

REFUSED_TAG = "Chỉ Văn phòng Đảng ủy mới gắn câu hỏi với tổ chức khác (Hội Liên hiệp Phụ nữ xã)"
SATISFACTION = {"code": "hl", "kind": "likert5", "criterion": "satisfaction", "required": True}
HOUSE = {"code": "so_nha", "kind": "number", "min_value": 1, "max_value": 999}
HONEST_START = datetime(2025, 9, 1, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def rivals(db):
    """The Farmers' and the Women's Unions, two villages, an officer of each role, and the
    Women's Union's own satisfaction survey with 40 honest answers spread over 20 days."""
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", short_name="Nông dân")
    phunu = make_organization(
        db, code="phunu", name="Hội Liên hiệp Phụ nữ xã", short_name="Phụ nữ", position=1
    )
    units = [
        make_unit(db, code="thon1", name="Thôn Một", adult_population=400),
        make_unit(db, code="thon2", name="Thôn Hai", adult_population=300),
    ]
    for org in (nongdan, phunu):
        make_indicator(db, org)
    for username, role, full_name, extra in (
        ("vanphong", "admin", "Nguyễn Thị Hoa", {}),
        ("thuongtruc", "committee", "Trần Văn Hùng", {}),
        ("ubkt", "inspector", "Đỗ Văn Kiểm", {}),
        ("hoinongdan", "org_officer", "Trần Văn Nông", {"organization": nongdan}),
        ("hoiphunu", "org_officer", "Lê Thị Phương", {"organization": phunu}),
        ("thon1", "unit_officer", "Phạm Văn Thôn", {"unit": units[0]}),
    ):
        make_user(db, username=username, role=role, full_name=full_name, **extra)
    own = make_survey(db, [SATISFACTION, HOUSE], code="hailong-phunu-2025", status="open")
    own.organizations.append(phunu)
    db.session.commit()
    honest(db, own, units, 40)
    return {"nongdan": nongdan, "phunu": phunu, "units": units, "own": own}


def honest(db, survey, units, count, start=HONEST_START, house=True):
    """`count` web answers, mostly satisfied, each from its own house, 12 hours apart."""
    first = db.session.scalar(sa.select(sa.func.max(Response.id))) or 0
    for i in range(count):
        answers = {"hl": (5, 4, 5, 4, 5, 4, 5, 4, 3, 5)[i % 10]}
        if house:
            answers["so_nha"] = 20 + i
        submit_and_commit(
            survey, answers, submission_uid=f"{survey.code}-{i}", unit_id=units[i % 2].id
        )
    for k, response_id in enumerate(
        db.session.scalars(sa.select(Response.id).where(Response.id > first).order_by(Response.id))
    ):
        db.session.execute(
            sa.update(Response)
            .where(Response.id == response_id)
            .values(submitted_at=start + timedelta(hours=12 * k))
        )
    db.session.commit()


def as_user(app, db, username):
    client = app.test_client()
    sign_in_quickly(client, db, username)
    return client


def satisfaction(code):
    """The organization's satisfaction criterion in this year's evaluation."""
    result = next(r for r in evaluate_year(2025).results if r.code == code)
    return next(c for c in result.rating.criteria if c.code == "satisfaction"), result


def farmers_survey(db, rivals, *, tagged=False, status="draft", created_by="hoinongdan"):
    """The Farmers' Union's survey; with `tagged`, a satisfaction question about the Women's
    Union, as the builder let its officer write before this version."""
    questions = [SATISFACTION]
    if tagged:
        questions.append(
            {
                "code": "pn",
                "kind": "likert5",
                "criterion": "satisfaction",
                "organization_id": rivals["phunu"].id,
            }
        )
    survey = make_survey(db, questions, code="hailong-nongdan-2025", status=status)
    survey.organizations.append(rivals["nongdan"])
    survey.created_by_id = user_id(db, created_by)
    db.session.commit()
    return survey


def user_id(db, username):
    from survey.models import User

    return db.session.scalar(sa.select(User.id).where(User.username == username))


def paper_count(db):
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Response).where(Response.channel == "paper")
    )


class Clock:
    """The paper module's clock, moved by hand: `step` seconds for every typing."""

    def __init__(self, start, step):
        self.now, self.step = start, timedelta(seconds=step)

    def __call__(self):
        self.now += self.step
        return self.now


# --- the attack -------------------------------------------------------------------------------


def test_the_farmers_officer_can_neither_tag_the_womens_union_nor_type_sheets_against_it(
    app, db, rivals
):
    before, _result = satisfaction("phunu")
    assert before.value > 0.85 and before.status == "met"
    survey = farmers_survey(db, rivals)
    officer = as_user(app, db, "hoinongdan")
    typed = question_fields(
        code="pn",
        text_vi="Bà con đánh giá Hội Phụ nữ thế nào?",
        criterion="satisfaction",
        organization="phunu",
    )
    sent = officer.post(f"/manage/surveys/{survey.code}/questions/new", data=typed)
    page = sent.get_data(as_text=True)
    assert sent.status_code == 422
    assert REFUSED_TAG in page
    assert "Bà con đánh giá Hội Phụ nữ thế nào?" in page  # what was typed is kept
    assert db.session.scalar(sa.select(Question.id).where(Question.code == "pn")) is None

    # Had the tag got in (as it did before this version), paper entry into the survey is
    # still not the Farmers' Union's: it is about the Women's Union too.
    db.session.add(
        Question(
            survey_id=survey.id,
            code="pn",
            kind="likert5",
            position=1,
            text={"vi": "Hội Phụ nữ?"},
            criterion="satisfaction",
            organization_id=rivals["phunu"].id,
        )
    )
    survey.status = "open"
    survey.updated_at = datetime.now(timezone.utc)
    db.session.commit()
    for number in range(1, 301):
        sheet = {"sheet": str(number), "unit": "thon1", "q_hl": "1", "q_pn": "1"}
        assert officer.post(f"/manage/paper/{survey.code}", data=sheet).status_code == 403
    assert officer.get(f"/manage/paper/{survey.code}").status_code == 403
    assert survey.code not in officer.get("/manage/paper/").get_data(as_text=True)
    assert paper_count(db) == 0
    after, _result = satisfaction("phunu")
    assert after.value == before.value


@pytest.mark.parametrize("tag", ["nongdan", ""])
def test_an_officer_tags_a_question_with_its_own_organization_or_none(app, db, rivals, tag):
    survey = farmers_survey(db, rivals)
    officer = as_user(app, db, "hoinongdan")
    data = question_fields(code="q_own", criterion="satisfaction", organization=tag)
    assert (
        officer.post(f"/manage/surveys/{survey.code}/questions/new", data=data).status_code == 303
    )
    saved = db.session.scalar(sa.select(Question).where(Question.code == "q_own"))
    assert (saved.organization.code if saved.organization else "") == tag


def test_the_office_tags_a_question_with_any_organization(app, db, rivals):
    survey = farmers_survey(db, rivals, created_by="vanphong")
    office = as_user(app, db, "vanphong")
    data = question_fields(code="pn", criterion="satisfaction", organization="phunu")
    assert office.post(f"/manage/surveys/{survey.code}/questions/new", data=data).status_code == 303
    saved = db.session.scalar(sa.select(Question).where(Question.code == "pn"))
    assert saved.organization.code == "phunu"


def test_an_officer_cannot_change_keep_duplicate_copy_or_clone_another_organizations_tag(
    app, db, rivals
):
    """Every way a tag is set: editing the question, duplicating it, copying last year's
    survey, making a new version."""
    survey = farmers_survey(db, rivals, tagged=True)
    officer = as_user(app, db, "hoinongdan")
    edit = question_fields(
        code="pn", text_vi="Sửa câu về Hội Phụ nữ", criterion="satisfaction", organization="phunu"
    )
    edited = officer.post(f"/manage/surveys/{survey.code}/questions/pn", data=edit)
    assert edited.status_code == 422 and REFUSED_TAG in edited.get_data(as_text=True)
    assert "Sửa câu về Hội Phụ nữ" in edited.get_data(as_text=True)
    untagged = officer.post(
        f"/manage/surveys/{survey.code}/questions/pn", data=edit | {"organization": ""}
    )
    assert untagged.status_code == 422  # the question is the office's to change

    duplicated = officer.post(f"/manage/surveys/{survey.code}/questions/pn/duplicate")
    assert duplicated.status_code == 422 and REFUSED_TAG in duplicated.get_data(as_text=True)

    copied = officer.post(
        "/manage/surveys/new",
        data=survey_fields(start="copy", source=survey.code, code="hailong-nongdan-2026"),
    )
    assert copied.status_code == 422 and REFUSED_TAG in copied.get_data(as_text=True)

    cloned = officer.post(f"/manage/surveys/{survey.code}/clone", data={"code": "phien-ban-2"})
    assert cloned.status_code == 422 and REFUSED_TAG in cloned.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Survey)) == 2
    pn = db.session.scalars(sa.select(Question).where(Question.code == "pn")).all()
    assert [q.text for q in pn] == [{"vi": "pn"}]  # nothing changed, nothing copied


def test_a_survey_an_officer_creates_evaluates_its_own_organization_only(app, db, rivals):
    officer = as_user(app, db, "hoinongdan")
    sent = officer.post(
        "/manage/surveys/new",
        data=survey_fields(start="satisfaction", title_vi="", organizations=["phunu"]),
    )
    assert sent.status_code == 303
    created = db.session.scalar(sa.select(Survey).where(Survey.code == "ks-moi-2026"))
    assert [o.code for o in created.organizations] == ["nongdan"]
    assert {q.organization.code for q in created.questions if q.organization} == {"nongdan"}


# --- paper entry into a survey about several organizations -----------------------------------


def test_paper_sheets_of_the_commune_wide_survey_are_for_the_office_and_the_villages(
    app, db, rivals
):
    commune_wide = make_survey(db, [SATISFACTION], code="giamsat-2025", status="open")
    commune_wide.organizations.extend([rivals["nongdan"], rivals["phunu"]])
    db.session.commit()
    sheet = {"unit": "thon1", "q_hl": "4"}
    for username, allowed in (("hoinongdan", False), ("vanphong", True), ("thon1", True)):
        client = as_user(app, db, username)
        listed = commune_wide.code in client.get("/manage/paper/").get_data(as_text=True)
        assert listed is allowed, username
        number = {"hoinongdan": 1, "vanphong": 2, "thon1": 3}[username]
        typed = client.post(f"/manage/paper/{commune_wide.code}", data=sheet | {"sheet": number})
        assert typed.status_code == (302 if allowed else 403), username
    assert paper_count(db) == 2
    # Its own survey, about itself alone, the organization's officer still types.
    own = farmers_survey(db, rivals, status="open")
    officer = as_user(app, db, "hoinongdan")
    assert officer.post(f"/manage/paper/{own.code}", data=sheet | {"sheet": 1}).status_code == 302


# --- the rated organization sees the survey ---------------------------------------------------


def test_a_survey_that_counts_toward_an_organization_shows_on_its_pages_with_its_origin(
    app, db, rivals, monkeypatch
):
    survey = farmers_survey(db, rivals, tagged=True, status="open")
    monkeypatch.setattr(entry, "utcnow", Clock(HONEST_START, 60))  # a person's pace
    typist = as_user(app, db, "thon1")
    for number in range(1, 7):
        sheet = {"sheet": number, "q_hl": "2", "q_pn": "2"}
        assert typist.post(f"/manage/paper/{survey.code}", data=sheet).status_code == 302
    honest(db, survey, rivals["units"], 3, house=False)  # pn left empty on the web

    womens = as_user(app, db, "hoiphunu")
    page = womens.get("/dashboard/org/phunu?year=2025").get_data(as_text=True)
    assert survey.text("title", "vi") in page
    assert "khảo sát của tổ chức khác" in page
    assert "Trần Văn Nông" in page and "hoinongdan" not in page  # by name, not username
    assert "Tổng cộng 9 phiếu, trong đó 6 phiếu giấy được nhập lại" in page
    assert "Phạm Văn Thôn: 6 tờ" in page
    listing = womens.get("/manage/surveys/").get_data(as_text=True)
    assert "Khảo sát của tổ chức khác được tính vào xếp loại của tổ chức mình" in listing
    assert f'href="/dashboard/survey/{survey.code}"' in listing and "Trần Văn Nông" in listing

    results = womens.get(f"/dashboard/survey/{survey.code}")
    assert results.status_code == 200
    html = results.get_data(as_text=True)
    assert "Nguồn gốc của khảo sát" in html and "Phạm Văn Thôn: 6 tờ" in html
    assert "export.csv" not in html  # read-only: no downloads
    assert womens.get(f"/api/v1/surveys/{survey.code}/results").status_code == 200
    assert womens.get(f"/dashboard/survey/{survey.code}/export.csv").status_code == 403
    assert womens.post(f"/manage/surveys/{survey.code}/close").status_code == 403
    assert womens.get(f"/manage/surveys/{survey.code}").status_code == 403
    assert womens.get(f"/manage/paper/{survey.code}").status_code == 403

    committee = as_user(app, db, "thuongtruc").get("/dashboard/org/phunu?year=2025")
    assert survey.text("title", "vi") in committee.get_data(as_text=True)
    assert "Phạm Văn Thôn: 6 tờ" in committee.get_data(as_text=True)
    # A survey that does not count toward it stays out of its pages.
    other = make_survey(db, [SATISFACTION], code="rieng-nongdan-2025", status="open")
    other.organizations.append(rivals["nongdan"])
    db.session.commit()
    assert womens.get(f"/dashboard/survey/{other.code}").status_code == 403
    assert other.code not in womens.get("/dashboard/org/phunu?year=2025").get_data(as_text=True)


def test_what_the_rating_counts_for_an_organization_is_what_its_pages_show(db, rivals):
    """The rating's rule (about_rows) and the pages' (about_pairs) cannot disagree: every
    (survey, organization) the year's criteria count is a pair the pages show."""
    # Closed: their answers count at once, not in batches of k (survey.responses.release).
    tagged = farmers_survey(db, rivals, tagged=True, status="closed")
    both = make_survey(db, [SATISFACTION, HOUSE], code="giamsat-2025", status="closed")
    both.organizations.extend([rivals["nongdan"], rivals["phunu"]])
    db.session.commit()
    honest(db, both, rivals["units"], 4)
    submit_and_commit(tagged, {"hl": 4, "pn": 1}, submission_uid="x", unit_id=rivals["units"][0].id)
    rows = about_rows(2025, ("satisfaction", "supervision"))
    counted = set(
        db.session.execute(
            sa.select(ResponseCriterion.survey_id, rows.c.organization_id)
            .join(rows, rows.c.response_id == ResponseCriterion.response_id)
            .distinct()
        ).all()
    )
    pairs = about_pairs()
    shown = set(db.session.execute(sa.select(pairs.c.survey_id, pairs.c.organization_id)).all())
    assert (tagged.id, rivals["phunu"].id) in counted
    assert counted <= shown


# --- paper sheets too fast, or too many ------------------------------------------------------


def commune_wide_survey(db, rivals):
    survey = make_survey(db, [SATISFACTION, HOUSE], code="giamsat-2025", status="open")
    survey.organizations.extend([rivals["nongdan"], rivals["phunu"]])
    db.session.commit()
    honest(db, survey, rivals["units"], 40, start=HONEST_START + timedelta(days=1))
    return survey


def spread_paper_over_days(db):
    """Put the stored paper sheets days apart, as if typed over weeks: then only how fast
    they were typed (not when they were stored) can give them away."""
    db.session.rollback()  # a fresh look: the sheets were stored by the requests meanwhile
    ids = db.session.scalars(sa.select(Response.id).where(Response.channel == "paper")).all()
    for k, response_id in enumerate(ids):
        at = HONEST_START + timedelta(hours=5 * k + 3)
        db.session.execute(
            sa.update(Response).where(Response.id == response_id).values(submitted_at=at)
        )
    db.session.commit()


def test_the_office_typing_300_sheets_in_seconds_is_flagged_and_left_out(
    app, db, rivals, monkeypatch
):
    app.config["PAPER_SHARE_FLAG"] = 1.0  # this test is about the typing speed alone
    survey = commune_wide_survey(db, rivals)
    honest_value = satisfaction("phunu")[0].value
    monkeypatch.setattr(entry, "utcnow", Clock(HONEST_START + timedelta(days=30), 0.02))
    office = as_user(app, db, "vanphong")
    for number in range(1, 301):
        sheet = {"sheet": number, "unit": "thon1", "q_hl": "1", "q_so_nha": str(100 + number)}
        typed = office.post(f"/manage/paper/{survey.code}", data=sheet)
        assert typed.status_code == 302
        office.get(typed.headers["Location"])  # the next sheet's page, as the browser goes
    spread_paper_over_days(db)

    # Judged from the fifth sheet of the run on: 296 of the 300.
    flags = {f.kind: f for f in survey_integrity(survey).flags}
    assert set(flags) == {"paper_fast"}, flags
    assert flags["paper_fast"].responses == 296
    assert flags["paper_fast"].typists == (("Nguyễn Thị Hoa", 296),)
    typing = db.session.scalar(sa.select(PaperTyping))
    assert (typing.typist, typing.sheets, typing.fast_sheets) == ("Nguyễn Thị Hoa", 300, 296)

    # The rule set's default leaves them out: the Women's Union keeps its honest figure.
    left_out, result = satisfaction("phunu")
    assert left_out.value > honest_value - 0.06  # the run's first four sheets still count
    assert result.flagged.responses == 296 and result.flagged.excluded
    # Counted (the choice off), they pull it down, and the criterion is to review.
    db.session.add(Setting(key="RULES_TOML", value=COUNTING_FLAGGED))
    db.session.commit()
    counted, result = satisfaction("phunu")
    assert counted.value < honest_value - 0.3
    assert "satisfaction" in result.sensitive and not result.flagged.excluded

    inspector = as_user(app, db, "ubkt")
    page = inspector.get(f"/dashboard/survey/{survey.code}").get_data(as_text=True)
    assert "phiếu giấy nhập nhanh hơn sức người" in page
    assert "296 phiếu giấy được nhập nhanh hơn 5 giây một phiếu" in page
    assert "Nguyễn Thị Hoa: 296 tờ" in page
    ratings = inspector.get("/manage/ratings/2025").get_data(as_text=True)
    assert "Nguyễn Thị Hoa: 296 tờ" in ratings
    assert "296 phiếu bị gắn cờ vẫn được tính" in ratings
    report = inspector.get("/dashboard/report/2025.html").get_data(as_text=True)
    assert "phiếu giấy nhập nhanh hơn sức người" in report and "Nguyễn Thị Hoa: 296 tờ" in report


def test_sheets_typed_at_a_persons_pace_are_not_flagged_and_a_pause_starts_a_new_run(
    app, db, rivals, monkeypatch
):
    survey = commune_wide_survey(db, rivals)
    clock = Clock(HONEST_START + timedelta(days=30), 12)
    monkeypatch.setattr(entry, "utcnow", clock)
    typist = as_user(app, db, "thon1")
    for number in range(1, 21):
        sheet = {"sheet": number, "q_hl": "4", "q_so_nha": str(100 + number)}
        assert typist.post(f"/manage/paper/{survey.code}", data=sheet).status_code == 302
    typing = db.session.scalar(sa.select(PaperTyping))
    assert (typing.sheets, typing.fast_sheets, typing.run_sheets) == (20, 0, 20)
    # The run keeps its minutes only, never the seconds of a sheet.
    assert typing.run_started_at.second == typing.run_last_at.second == 0
    clock.now += timedelta(minutes=30)
    typist.post(f"/manage/paper/{survey.code}", data={"sheet": 21, "q_hl": "4", "q_so_nha": "77"})
    db.session.expire_all()
    typing = db.session.scalar(sa.select(PaperTyping))
    assert (typing.sheets, typing.run_sheets) == (21, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FastSheet)) == 0
    assert "paper_fast" not in {f.kind for f in survey_integrity(survey).flags}


def test_paper_sheets_beyond_their_share_are_flagged_with_the_share_said(app, db, rivals):
    survey = commune_wide_survey(db, rivals)  # 40 on the web
    for i in range(50):  # 50 sheets typed over weeks: 56% of 90
        submit_and_commit(
            survey,
            {"hl": 1 + i % 2, "so_nha": 500 + i},
            submission_uid=f"giay-{i}",
            unit_id=rivals["units"][i % 2].id,
            channel="paper",
            sheet_no=f"thon{1 + i % 2}-{i:04d}",
        )
    spread_paper_over_days(db)
    flags = {f.kind: f for f in survey_integrity(survey).flags}
    assert flags["paper_share"].responses == 50
    assert flags["paper_share"].share == pytest.approx(50 / 90, abs=1e-4)
    page = as_user(app, db, "ubkt").get(f"/dashboard/survey/{survey.code}").get_data(as_text=True)
    assert "Phiếu giấy chiếm 55,6% số phiếu của khảo sát này, vượt mức 50% xã đã đặt" in page
    assert "cả 50 phiếu giấy đều bị gắn cờ" in page
    # A commune that types most of its answers raises the share.
    app.config["PAPER_SHARE_FLAG"] = 0.6
    assert "paper_share" not in {f.kind for f in survey_integrity(survey).flags}


def test_sheets_sent_at_once_by_one_person_are_each_counted(app, db, rivals):
    """One UPDATE counts each typing: four sheets sent together are four, not one."""
    survey = commune_wide_survey(db, rivals)
    numbers = count(100)

    def type_one(fresh):
        from survey.models import Unit, User

        user = _db.session.scalar(sa.select(User).where(User.username == "vanphong"))
        unit = _db.session.scalar(sa.select(Unit).where(Unit.code == "thon1"))
        number = next(numbers)
        answers, errors = entry.check_sheet(fresh, {"hl": "3", "so_nha": str(number)})
        assert not errors
        outcome = entry.enter_sheet(fresh, unit, f"thon1-{number:04d}", answers, user).outcome
        _db.session.commit()  # as the paper entry view does
        return outcome

    outcomes, failures = race(app, survey, 4, type_one)
    assert failures == []
    typing = _db.session.scalar(sa.select(PaperTyping))
    assert typing.sheets == len(outcomes) == 4


def test_slips_of_a_member_survey_about_several_organizations_are_not_an_officers_to_print(
    app, db, rivals
):
    """Single-use slips are ballots: an officer who printed them for the commune-wide member
    survey could answer them itself, as with paper sheets."""
    members = make_survey(
        db, [SATISFACTION], code="giamsat-hoivien-2025", status="open", audience="member"
    )
    members.organizations.extend([rivals["nongdan"], rivals["phunu"]])
    db.session.commit()
    officer = as_user(app, db, "hoinongdan")
    sent = officer.post(f"/manage/paper/{members.code}/slips", data={"unit": "thon1", "count": "5"})
    assert sent.status_code == 403
    office = as_user(app, db, "vanphong")
    printed = office.post(
        f"/manage/paper/{members.code}/slips", data={"unit": "thon1", "count": "5"}
    )
    assert printed.status_code == 200
