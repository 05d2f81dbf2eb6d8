"""Route x role matrix: every /manage, /dashboard and /api route, for every kind of user.

The routes come from the app's URL map, so a new route without a row in ACCESS fails
`test_every_protected_route_has_a_row`. Each case signs in one persona, asks one route with
one method, and expects: the page (any status but 401/403 and the sign-in redirect) when the
persona is allowed, 403 when signed in and not allowed, and the sign-in redirect for anonymous
visitors. POST cases send an empty form: enough to pass or fail the guard without changing
much; every case runs on a fresh world.
"""

from dataclasses import dataclass, field
from datetime import date

import pytest

from survey.core.tenancy import across_communes
from tests.factories import make_organization, make_survey, make_unit, make_user

PROTECTED_PREFIXES = ("/manage", "/dashboard", "/api", "/province")

ANONYMOUS = "anonymous"
PERSONAS = (
    ANONYMOUS,
    "admin",
    "committee",
    "inspector",
    "officer",  # org_officer of the organization that owns every object below
    "other_officer",  # org_officer of another organization
    "village",  # unit_officer of the village every object below belongs to
    "other_village",  # unit_officer of another village
    "province_admin",  # the province office: no commune of its own
    "province_viewer",  # the province Front's standing board: no commune of its own
)
SIGNED_IN = frozenset(PERSONAS) - {ANONYMOUS}
READERS = frozenset({"admin", "committee", "inspector"})
OWNER_READS = READERS | {"officer"}
OWNER_CHANGES = frozenset({"admin", "officer"})
ORG_ROLES = READERS | {"officer", "other_officer"}
PAPER = frozenset({"admin", "officer", "other_officer", "village", "other_village"})
PAPER_FOR_OWN = frozenset({"admin", "officer", "village", "other_village"})
# Typed sheets are corrected by the office and the villages (each its own), not organizations.
SHEET_KEEPERS = frozenset({"admin", "village", "other_village"})
ADMIN = frozenset({"admin"})
# An organization's year is reviewed by the office, or by the Fatherland Front's officer.
FRONT_REVIEW = frozenset({"admin", "other_officer"})
AUDIT = frozenset({"admin", "inspector"})
PROVINCE = frozenset({"province_admin", "province_viewer"})
PROVINCE_OFFICE = frozenset({"province_admin"})


@dataclass(frozen=True)
class Access:
    """Who may use one route with one method, and the URL arguments to ask it with."""

    allowed: frozenset
    args: dict = field(default_factory=dict)


# (endpoint, method) -> Access. Lists may be open to more roles than the objects they list:
# an officer of another organization sees its own rows there, not these.
ACCESS = {
    ("manage.index", "GET"): Access(SIGNED_IN),
    ("paper.index", "GET"): Access(PAPER),
    ("paper.enter", "GET"): Access(PAPER_FOR_OWN),
    ("paper.enter", "POST"): Access(PAPER_FOR_OWN),
    ("paper.differences", "GET"): Access(PAPER_FOR_OWN),
    ("paper.differences", "POST"): Access(PAPER_FOR_OWN),
    ("paper.sheets", "GET"): Access(SHEET_KEEPERS),
    ("paper.sheets", "POST"): Access(SHEET_KEEPERS),
    ("paper.slips", "GET"): Access(PAPER_FOR_OWN, {"code": "members-2025"}),
    ("paper.slips", "POST"): Access(PAPER_FOR_OWN, {"code": "members-2025"}),
    # --- API ---
    ("api.evaluations", "GET"): Access(ORG_ROLES),
    ("api.results", "GET"): Access(OWNER_READS),
    # the year's tasks: each officer of an organization gets its own rows
    ("api.tasks", "GET"): Access(ORG_ROLES),
    # feedback inbox: the list shows each officer its own organization's items
    ("inbox.index", "GET"): Access(ORG_ROLES),
    ("inbox.item", "GET"): Access(OWNER_READS),
    ("inbox.item", "POST"): Access(OWNER_CHANGES),
    ("inbox.task_new", "POST"): Access(OWNER_CHANGES),
    ("inbox.task_attach", "POST"): Access(OWNER_CHANGES),
    ("inbox.task_detach", "POST"): Access(OWNER_CHANGES),
    # annual figures (indicators): the committee may POST, to record the veto flags only
    ("indicators.index", "GET"): Access(ORG_ROLES),
    ("indicators.edit", "GET"): Access(OWNER_READS),
    ("indicators.edit", "POST"): Access(OWNER_CHANGES | {"committee"}),
    # dialogues and voter contacts: readers read; the office and the organization's officer
    # plan and change its meetings (an officer plans only its own: a form, not a 403)
    ("dialogues.index", "GET"): Access(ORG_ROLES),
    ("dialogues.new", "GET"): Access(frozenset({"admin", "officer", "other_officer"})),
    ("dialogues.new", "POST"): Access(frozenset({"admin", "officer", "other_officer"})),
    ("dialogues.meeting", "GET"): Access(OWNER_READS),
    ("dialogues.edit", "GET"): Access(OWNER_CHANGES),
    ("dialogues.edit", "POST"): Access(OWNER_CHANGES),
    ("dialogues.delete", "GET"): Access(OWNER_CHANGES),
    ("dialogues.delete", "POST"): Access(OWNER_CHANGES),
    ("dialogues.raise_issue", "POST"): Access(OWNER_CHANGES),
    ("dialogues.answer", "POST"): Access(OWNER_CHANGES),
    ("dialogues.task", "GET"): Access(OWNER_CHANGES),
    ("dialogues.task", "POST"): Access(OWNER_CHANGES),
    # --- survey builder: readers open every page, the owner and the office change ---------
    ("builder.index", "GET"): Access(ORG_ROLES),
    ("builder.new", "GET"): Access(frozenset({"admin", "officer", "other_officer"})),
    ("builder.new", "POST"): Access(frozenset({"admin", "officer", "other_officer"})),
    ("builder.edit", "GET"): Access(OWNER_READS),
    ("builder.edit", "POST"): Access(OWNER_CHANGES),
    ("builder.add_question", "GET"): Access(OWNER_READS, {"code": "draft-2025"}),
    ("builder.add_question", "POST"): Access(OWNER_CHANGES, {"code": "draft-2025"}),
    ("builder.edit_question", "GET"): Access(OWNER_READS),
    ("builder.edit_question", "POST"): Access(OWNER_CHANGES),
    ("builder.move_question", "POST"): Access(OWNER_CHANGES, {"code": "draft-2025"}),
    ("builder.duplicate_question", "POST"): Access(OWNER_CHANGES, {"code": "draft-2025"}),
    ("builder.delete_question", "POST"): Access(OWNER_CHANGES, {"code": "draft-2025"}),
    ("builder.preview", "GET"): Access(OWNER_READS, {"code": "draft-2025"}),
    ("builder.preview", "POST"): Access(OWNER_READS, {"code": "draft-2025"}),
    ("builder.open_now", "POST"): Access(OWNER_CHANGES, {"code": "draft-2025"}),
    ("builder.close_now", "POST"): Access(OWNER_CHANGES),
    ("builder.schedule", "POST"): Access(OWNER_CHANGES, {"code": "draft-2025"}),
    ("builder.clone", "GET"): Access(OWNER_READS),
    ("builder.clone", "POST"): Access(OWNER_CHANGES),
    ("xlsform.upload", "GET"): Access(frozenset({"admin", "officer", "other_officer"})),
    ("xlsform.upload", "POST"): Access(frozenset({"admin", "officer", "other_officer"})),
    ("xlsform.download", "GET"): Access(OWNER_READS),
    # a survey's audio: read with the survey, changed by its owners
    ("audio.page", "GET"): Access(OWNER_READS),
    ("audio.page", "POST"): Access(OWNER_CHANGES),
    ("audio.autoplay", "POST"): Access(OWNER_CHANGES),
    ("audio.delete", "GET"): Access(OWNER_CHANGES),
    ("audio.delete", "POST"): Access(OWNER_CHANGES),
    # administration (users, villages, organizations, commune settings) and the audit log
    **{
        (f"admin.{name}", method): Access(ADMIN)
        for name, methods in (
            ("index", ("GET",)),
            ("users", ("GET",)),
            ("user_new", ("GET", "POST")),
            ("user_edit", ("GET", "POST")),
            ("user_deactivate", ("POST",)),
            ("user_reactivate", ("POST",)),
            ("user_password", ("GET", "POST")),
            ("villages", ("GET",)),
            ("village_new", ("GET", "POST")),
            ("village_edit", ("GET", "POST")),
            ("organizations", ("GET",)),
            ("organization_new", ("GET", "POST")),
            ("organization_edit", ("GET", "POST")),
            ("settings", ("GET", "POST")),
            ("rules", ("GET", "POST")),
        )
        for method in methods
    },
    ("audit.index", "GET"): Access(AUDIT),
    # the province's pages: its own two roles, never a commune's officer
    ("province.index", "GET"): Access(PROVINCE),
    # the province office's pages: communes and their administrators, its own role alone
    **{
        (endpoint, method): Access(PROVINCE_OFFICE)
        for endpoint, methods in (
            ("province_office.index", ("GET",)),
            ("province_office.commune_new", ("GET", "POST")),
            ("province_office.commune", ("GET",)),
            ("province_office.admin_new", ("GET", "POST")),
            ("province_office.admin_password", ("GET", "POST")),
            ("province_office.admin_deactivate", ("POST",)),
            ("province_office.admin_reactivate", ("POST",)),
            ("province_rules.index", ("GET", "POST")),
        )
        for method in methods
    },
    # annual ratings: readers and officers (their own organization) read; the committee
    # and the office finalize
    ("ratings.index", "GET"): Access(ORG_ROLES),
    ("ratings.year", "GET"): Access(ORG_ROLES),
    ("ratings.finalize", "GET"): Access(frozenset({"admin", "committee"})),
    ("steps.self_assessment", "GET"): Access(OWNER_CHANGES, {"code": "nongdan"}),
    ("steps.self_assessment", "POST"): Access(OWNER_CHANGES, {"code": "nongdan"}),
    ("steps.review", "GET"): Access(FRONT_REVIEW, {"code": "nongdan"}),
    ("steps.review", "POST"): Access(FRONT_REVIEW, {"code": "nongdan"}),
    ("steps.decision", "GET"): Access(frozenset({"admin", "committee"}), {"code": "nongdan"}),
    ("steps.decision", "POST"): Access(frozenset({"admin", "committee"}), {"code": "nongdan"}),
    ("commendations.index", "GET"): Access(READERS | {"other_officer"}),
    ("commendations.index", "POST"): Access(frozenset({"admin", "other_officer"})),
    ("commendations.remove", "POST"): Access(
        frozenset({"admin", "other_officer"}), {"entry_id": 1}
    ),
    ("commendations.confirm", "POST"): Access(frozenset({"admin", "other_officer"})),
    ("steps.heads", "GET"): Access(OWNER_CHANGES | {"committee"}, {"code": "nongdan"}),
    ("steps.heads", "POST"): Access(OWNER_CHANGES, {"code": "nongdan"}),
    ("steps.remove", "POST"): Access(OWNER_CHANGES, {"code": "nongdan", "head_id": 1}),
    ("steps.decide_for_head", "POST"): Access(
        frozenset({"admin", "committee"}), {"code": "nongdan", "head_id": 1}
    ),
    ("ratings.finalize", "POST"): Access(frozenset({"admin", "committee"})),
    # --- dashboards: an organization's officer is sent from the overview to its own page
    ("dashboard.index", "GET"): Access(ORG_ROLES),
    ("dashboard.organization", "GET"): Access(OWNER_READS, {"code": "nongdan"}),
    ("dashboard.survey", "GET"): Access(OWNER_READS),
    # downloads: the year-end report and workbook for the readers of every result; a
    # survey's anonymized responses for whoever may read the survey
    ("reports.year_report", "GET"): Access(READERS, {"fmt": "docx"}),
    ("reports.resolution_report", "GET"): Access(READERS, {"fmt": "docx"}),
    ("reports.survey_export", "GET"): Access(OWNER_READS, {"fmt": "csv"}),
    # a task's evidence: read with the task's organization, changed by its owners
    ("evidence.task_evidence", "GET"): Access(OWNER_READS),
    ("evidence.task_evidence", "POST"): Access(OWNER_CHANGES),
    ("evidence.file", "GET"): Access(OWNER_READS),
    ("evidence.set_public", "POST"): Access(OWNER_CHANGES),
    ("evidence.delete", "GET"): Access(OWNER_CHANGES),
    ("evidence.delete", "POST"): Access(OWNER_CHANGES),
    # coordination programmes: the office manages them; a party's officer reads the programme
    # and changes its own organization's tasks; the committee and inspector read
    ("programmes.index", "GET"): Access(ORG_ROLES),
    ("programmes.new", "GET"): Access(ADMIN),
    ("programmes.new", "POST"): Access(ADMIN),
    ("programmes.programme", "GET"): Access(OWNER_READS),
    ("programmes.edit", "GET"): Access(ADMIN),
    ("programmes.edit", "POST"): Access(ADMIN),
    ("programmes.delete", "POST"): Access(ADMIN),
    ("programmes.new_task", "GET"): Access(OWNER_CHANGES),
    ("programmes.new_task", "POST"): Access(OWNER_CHANGES),
    ("programmes.task", "GET"): Access(OWNER_READS),
    ("programmes.edit_task", "GET"): Access(OWNER_CHANGES),
    ("programmes.edit_task", "POST"): Access(OWNER_CHANGES),
    ("programmes.note", "POST"): Access(OWNER_CHANGES),
    ("programmes.state", "POST"): Access(OWNER_CHANGES),
}

# Default URL arguments by name; an Access row's args override them.
DEFAULT_ARGS = {"code": "own-2025", "org": "nongdan", "year": 2025, "qcode": "hl"}


def build_world(db, prefix=""):
    """The objects every case asks about: all owned by `nongdan` and village `thon1`.

    `prefix` goes before every username and survey code (unique in the whole deployment):
    a second commune's world has the same organizations and villages, and these others."""
    own = make_organization(db, code="nongdan", name="Hội Nông dân", short_name="Nông dân")
    # The other organization is the Fatherland Front: its officer reviews the own one's year.
    # ... and it leads the proposals for commendation.
    other = make_organization(
        db,
        code="phunu",
        name="Hội Phụ nữ",
        short_name="Phụ nữ",
        is_front=True,
        leads_commendations=True,
    )
    thon1 = make_unit(db, code="thon1", name="Thôn 1")
    thon2 = make_unit(db, code="thon2", name="Thôn 2")
    questions = [
        {"code": "hl", "kind": "likert5", "required": True},
        {"code": "y_kien", "kind": "text", "feedback": True},
    ]
    for code, audience, status in (
        ("own-2025", "public", "open"),
        ("members-2025", "member", "open"),
        ("draft-2025", "public", "draft"),
    ):
        survey = make_survey(db, questions, code=prefix + code, audience=audience, status=status)
        survey.organizations.append(own)
    roles = {
        "admin": {"role": "admin"},
        "committee": {"role": "committee"},
        "inspector": {"role": "inspector"},
        "officer": {"role": "org_officer", "organization": own},
        "other_officer": {"role": "org_officer", "organization": other},
        "village": {"role": "unit_officer", "unit": thon1},
        "other_village": {"role": "unit_officer", "unit": thon2},
        "province_admin": {"role": "province_admin"},
        "province_viewer": {"role": "province_viewer"},
    }
    users = {
        name: make_user(db, username=prefix + name, **kw)
        for name, kw in roles.items()
        if not name.startswith("province_")
    }
    with across_communes():  # the province's accounts belong to no commune
        for name in ("province_admin", "province_viewer"):
            users[name] = make_user(db, username=prefix + name, **roles[name])
            db.session.flush()
    extra_args = extra_world(db, own=own, other=other, thon1=thon1, users=users, prefix=prefix)
    db.session.commit()
    return extra_args


def extra_world(db, *, own, other, thon1, users, prefix=""):
    """Objects with numeric ids (feedback items, users) and their URL arguments."""
    args = {"user_id": users["officer"].id}
    # the province office's pages: the commune of this world and its administrator
    from survey.models import Commune

    args["commune"] = db.session.get(Commune, own.commune_id).code
    args["admin_id"] = users["admin"].id
    # --- feedback inbox: one item written to `nongdan` from village thon1
    from survey.models import FeedbackItem

    item = FeedbackItem(organization=own, unit=thon1, text="Đề nghị sửa đường vào thôn.")
    db.session.add(item)
    db.session.flush()
    args["item_id"] = item.id
    # administration: a village to edit (the officer's account is user_id above)
    args["unit"] = thon1.code
    # dialogues: a meeting of `nongdan` in thon1 with one issue raised
    from survey.models import Dialogue, DialogueIssue

    dialogue = Dialogue(organization=own, unit=thon1, title="Đối thoại", held_on=date(2025, 4, 1))
    issue = DialogueIssue(dialogue=dialogue, text="Đề nghị sửa đường.")
    db.session.add_all([dialogue, issue])
    db.session.flush()
    args["dialogue_id"], args["issue_id"] = dialogue.id, issue.id
    # coordination programmes: one with `nongdan` as its only party, and a task of it with one
    # evidence file (its row; the file itself is not needed)
    from survey.models import Programme, Task, TaskEvidence

    programme = Programme(year=2025, title="Chương trình phối hợp giảm nghèo", parties=[own])
    task = Task(
        programme=programme,
        organization=own,
        title="Tập huấn kỹ thuật",
        owner="Phạm Văn Thành, Chủ tịch Hội",
        due_on=date(2025, 6, 30),
    )
    evidence = TaskEvidence(
        task=task,
        stored_name=("1" if prefix else "0") * 32 + ".pdf",
        filename="bien-ban.pdf",
        size=9,
        content_type="application/pdf",
    )
    db.session.add_all([programme, task, evidence])
    db.session.flush()
    args["programme_id"], args["task_id"] = programme.id, task.id
    args["evidence_id"] = evidence.id
    # a recording of the first question of the open survey and of the draft
    args |= audio_clips(db, prefix)
    return args


def audio_clips(db, prefix=""):
    """A clip of the first question of `own-2025` and of `draft-2025`; their URL arguments
    (`clip_id`, `digest`, `ext`; the draft's as `draft_clip_id`, `draft_digest`)."""
    import sqlalchemy as sa

    from survey.models import Survey, SurveyAudio

    args = {"ext": "wav"}
    for name, code, digit in (("", "own-2025", "a"), ("draft_", "draft-2025", "b")):
        survey = db.session.scalar(sa.select(Survey).where(Survey.code == prefix + code))
        question = survey.questions[0]
        clip = SurveyAudio(
            survey_id=survey.id,
            question_id=question.id,
            target=f"question:{question.id}",
            lang="vi",
            content_type="audio/wav",
            size=4,
            digest=digit * 64,
            data=b"RIFF",
        )
        db.session.add(clip)
        db.session.flush()
        args[f"{name}clip_id"], args[f"{name}digest"] = clip.id, digit * 16
    return args


def sign_in_quickly(client, db, username):
    """What a sign-in leaves in the session, without paying for scrypt in every case."""
    import sqlalchemy as sa

    from survey.accounts import sign_ins
    from survey.models import User

    user = db.session.scalar(sa.select(User).where(User.username == username))
    sign_ins.start(user)  # the sign-in the session names must be open on the server
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def protected_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PROTECTED_PREFIXES):
            for method in sorted(rule.methods & {"GET", "POST"}):
                yield rule, method


def test_every_protected_route_has_a_row(app):
    routes = {(rule.endpoint, method) for rule, method in protected_rules(app)}
    missing = sorted(routes - ACCESS.keys())
    stale = sorted(ACCESS.keys() - routes)
    assert not missing, f"routes without a row in ACCESS: {missing}"
    assert not stale, f"rows in ACCESS for routes that do not exist: {stale}"


def _url(app, rule, access, world_args):
    args = {}
    for name in rule.arguments:
        args[name] = access.args.get(name, world_args.get(name, DEFAULT_ARGS.get(name)))
        assert args[name] is not None, f"{rule.endpoint}: no value for URL argument {name!r}"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **args)


def _verdict(response):
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "sign-in"
    if response.status_code in (401, 403):
        return "forbidden"
    return "allowed"


CASES = [(endpoint, method) for endpoint, method in ACCESS]


@pytest.mark.parametrize(("endpoint", "method"), CASES, ids=[f"{e} {m}" for e, m in CASES])
def test_route_answers_each_persona_as_its_role_allows(app, db, endpoint, method):
    from tests.conftest import empty_tables

    rule = next(r for r, m in protected_rules(app) if r.endpoint == endpoint and m == method)
    access = ACCESS[(endpoint, method)]
    wrong = []
    world_args = None
    for persona in PERSONAS:
        if world_args is None or method == "POST":  # a POST may have changed the world
            db.session.close()
            empty_tables()
            world_args = build_world(db)
        url = _url(app, rule, access, world_args)
        client = app.test_client()
        if persona != ANONYMOUS:
            sign_in_quickly(client, db, persona)
        response = client.open(url, method=method, data={} if method == "POST" else None)
        if persona == ANONYMOUS:
            expected = "sign-in"
        else:
            expected = "allowed" if persona in access.allowed else "forbidden"
        got = _verdict(response)
        if got != expected or response.status_code >= 500:
            wrong.append(f"{persona}: expected {expected}, got {response.status_code} ({got})")
    assert not wrong, f"{method} {url}:\n" + "\n".join(wrong)


# --- the public face of a draft: its form, QR code, poster and thank-you page are there only
# for those who may read the survey in the workspace (the builder's preview rule); everyone
# else, signed in or not, gets the 404 the public gets. The routes come from the URL map: every
# route under /s/ (a survey's public address) has a case.
DRAFT_READERS = OWNER_READS
DRAFT_ARGS = {"code": "draft-2025", "kind": "png"}


def public_survey_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/s/"):
            for method in sorted(rule.methods & {"GET", "POST"}):
                yield rule, method


def test_public_survey_routes_are_known(app):
    routes = {(rule.endpoint, method) for rule, method in public_survey_rules(app)}
    assert routes == {
        ("take.form", "GET"),
        ("take.form", "POST"),
        ("take.done", "GET"),
        ("take.qr_code", "GET"),
        ("take.poster", "GET"),
        ("take.preview_image", "GET"),
        ("take.audio", "GET"),
    }, "a new public route of a survey: check the draft cases below ask it rightly"


def _a_receipt(db):
    """A counted receipt (of the open survey: a draft takes no answers)."""
    import uuid

    import sqlalchemy as sa

    from survey.models import Survey
    from tests.factories import submit_and_commit

    survey = db.session.scalar(sa.select(Survey).where(Survey.code == "own-2025"))
    receipt = submit_and_commit(survey, {"hl": 4}, submission_uid=str(uuid.uuid4()))
    db.session.commit()
    return receipt.code


@pytest.mark.parametrize("status", ["draft", "open"])
def test_a_drafts_public_routes_answer_only_who_may_read_it(app, db, status):
    world_args = build_world(db) | {"receipt": _a_receipt(db)}
    code = "draft-2025" if status == "draft" else "own-2025"
    if status == "draft":  # the draft's own recording
        world_args |= {"clip_id": world_args["draft_clip_id"], "digest": world_args["draft_digest"]}
    wrong = []
    for rule, method in public_survey_rules(app):
        url = _url(app, rule, Access(frozenset(), DRAFT_ARGS | {"code": code}), world_args)
        for persona in PERSONAS:
            client = app.test_client()
            if persona != ANONYMOUS:
                sign_in_quickly(client, db, persona)
            response = client.open(url, method=method, data={} if method == "POST" else None)
            hidden = status == "draft" and persona not in DRAFT_READERS
            if rule.endpoint == "take.done" and status == "draft":
                # A draft takes no answers: no receipt is ever one of its own, and a receipt
                # is thanked for only on the page of the survey it was given for.
                hidden = True
            if response.status_code >= 500 or (response.status_code == 404) != hidden:
                expected = "404" if hidden else "the page"
                wrong.append(
                    f"{method} {url} {persona}: expected {expected}, got {response.status_code}"
                )
    assert not wrong, "\n".join(wrong)
