"""One commune never sees another's data: every route x role x commune.

Two communes share the database with the same organization codes (nongdan, phunu) and the
same village names (Thôn 1, Thôn 2), each with the whole world the route matrix asks about
(tests/test_route_access.py). Every text of commune Alpha that a page could show carries a
mark. Each officer of commune Beta then asks every /manage, /dashboard and /api route with
Alpha's ids and codes: no answer may carry the mark (downloads are opened, zip archives too),
none may fail with a 500, each address naming one of Alpha's objects answers 403 or 404, and
Alpha's audit log gains nothing (nothing of Alpha's was changed).

The province office (province_admin) is of no commune: it lists every commune and makes and
signs in and out their administrators, so its own pages (blueprint province_office) are left
out for it here; tests/province/test_office.py holds what it may and may not do there.
"""

import io
import zipfile

import pytest
import sqlalchemy as sa

from survey.commune.tenants import create_commune
from survey.core.tenancy import across_communes, commune_scope
from survey.models import (
    AuditLog,
    Dialogue,
    DialogueIssue,
    FeedbackItem,
    Organization,
    Programme,
    Survey,
    Task,
    TaskEvidence,
    User,
)
from tests.test_route_access import (
    ACCESS,
    DEFAULT_ARGS,
    PERSONAS,
    SIGNED_IN,
    _url,
    build_world,
    protected_rules,
    sign_in_quickly,
)

MARK = "ALPHAMARK"
# The URL arguments that name one of Alpha's own objects (the others are years, codes of
# organizations and villages, which both communes have).
ALPHA_OBJECTS = {
    "item_id",
    "dialogue_id",
    "issue_id",
    "programme_id",
    "task_id",
    "evidence_id",
    "clip_id",
    "user_id",
    "admin_id",
}
ALPHA_SURVEYS = {"own-2025", "members-2025", "draft-2025"}


def mark_alpha(db):
    """Put the mark into every text of Alpha's a page could show."""
    for model, column in (
        (FeedbackItem, "text"),
        (Dialogue, "title"),
        (DialogueIssue, "text"),
        (Programme, "title"),
        (Task, "title"),
        (TaskEvidence, "filename"),
        (User, "full_name"),
    ):
        for row in db.session.scalars(sa.select(model)):
            setattr(row, column, f"{MARK} {getattr(row, column)}")
    for survey in db.session.scalars(sa.select(Survey)):
        survey.title = {"vi": f"{MARK} khảo sát", "en": f"{MARK} survey"}


@pytest.fixture
def two_communes(db):
    """Alpha's world (marked) and Beta's (usernames and survey codes begin with b_)."""
    with across_communes():
        alpha = create_commune("alpha", "xã Alpha", province="Gia Lai")
        beta = create_commune("beta", "xã Beta", province="Gia Lai")
        db.session.commit()
    with commune_scope(alpha.id):
        alpha_args = build_world(db)
        mark_alpha(db)
        db.session.commit()
    with commune_scope(beta.id):
        build_world(db, prefix="b_")
        db.session.commit()
    return {"alpha": alpha.id, "beta": beta.id, "args": alpha_args}


def body_text(response):
    """What a person or a program could read in the answer: its text, or every file of a
    zip archive (XLSX, DOCX)."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"".join(archive.read(name) for name in archive.namelist())
    return data.decode("utf-8", "replace")


def alpha_audit_count(db, commune_id):
    with commune_scope(commune_id):
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))


def names_alpha_object(rule, access, args):
    """Whether the URL names one of Alpha's own objects (not a year or an organization)."""
    for name in rule.arguments:
        if name in ALPHA_OBJECTS:
            return True
        value = access.args.get(name, args.get(name, DEFAULT_ARGS.get(name)))
        if name == "code" and value in ALPHA_SURVEYS:
            return True
    return False


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) & SIGNED_IN))
def test_an_officer_of_one_commune_sees_nothing_of_another(app, client, db, two_communes, persona):
    alpha_args = two_communes["args"]
    before = alpha_audit_count(db, two_communes["alpha"])
    sign_in_quickly(client, db, f"b_{persona}")
    wrong, asked = [], 0
    for rule, method in protected_rules(app):
        if persona == "province_admin" and rule.endpoint.startswith("province_office."):
            continue  # every commune's administrators are the province office's to manage
        access = ACCESS[(rule.endpoint, method)]
        url = _url(app, rule, access, alpha_args)
        response = client.open(url, method=method, data={} if method == "POST" else None)
        asked += 1
        status = response.status_code
        if status >= 500:
            wrong.append(f"{method} {url}: {status}")
        elif MARK in body_text(response):
            wrong.append(f"{method} {url}: shows commune Alpha's data")
        elif names_alpha_object(rule, access, alpha_args) and status not in (403, 404):
            wrong.append(f"{method} {url}: {status} for an object of commune Alpha")
    assert asked > 100
    assert not wrong, "\n".join(wrong)
    assert alpha_audit_count(db, two_communes["alpha"]) == before


def test_each_commune_sees_its_own_with_the_same_codes(client, db, two_communes):
    """The other side of the wall: Beta's administrator reads Beta's own organizations and
    officers, by the codes Alpha uses too."""
    sign_in_quickly(client, db, "b_admin")
    page = client.get("/manage/admin/users").get_data(as_text=True)
    assert "b_officer" in page and ">officer<" not in page
    assert client.get("/manage/admin/villages/thon1/edit").status_code == 200
    with commune_scope(two_communes["beta"]):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 2


def test_no_query_escapes_the_commune_at_hand(db, two_communes):
    """The ORM's wall: every select, lazy load and get is limited to the commune at hand."""
    with commune_scope(two_communes["beta"]):
        assert db.session.get(FeedbackItem, two_communes["args"]["item_id"]) is None
        codes = db.session.scalars(sa.select(Survey.code)).all()
        assert sorted(codes) == ["b_draft-2025", "b_members-2025", "b_own-2025"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 7
    with across_communes():
        # Seven officers in each commune, and two province accounts made with each world.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 18


def test_a_visitor_chooses_a_commune_and_sees_only_its_surveys(client, two_communes):
    chooser = client.get("/").get_data(as_text=True)
    assert "xã Alpha" in chooser and "xã Beta" in chooser and "/s/" not in chooser
    beta = client.get("/?xa=beta").get_data(as_text=True)
    assert "/s/b_own-2025" in beta and '/s/own-2025"' not in beta and MARK not in beta
    # The choice is kept: the published feedback is Beta's, never Alpha's.
    assert MARK not in client.get("/feedback").get_data(as_text=True)
    # A survey's own address opens it whatever was chosen.
    assert client.get("/s/own-2025").status_code == 200


def test_a_new_surveys_code_avoids_the_other_communes_codes(client, db, two_communes):
    """Codes are unique in the deployment (a QR code names no commune): Beta's new survey
    titled as Alpha's gets a code of its own, not a refusal for a code nobody typed."""
    from survey.surveys.survey_fields import survey_codes_taken

    with commune_scope(two_communes["beta"]):
        assert "own-2025" in survey_codes_taken()
    sign_in_quickly(client, db, "b_admin")
    with commune_scope(two_communes["alpha"]):
        alpha_codes = set(db.session.scalars(sa.select(Survey.code)))
    form = {
        "start": "blank",
        "code": "",  # made from the title and year: "own-2025", which Alpha has
        "title_vi": "Own",
        "organizations": ["nongdan"],
        "languages": ["vi"],
        "audience": "public",
        "topic": "satisfaction",
        "year": "2025",
    }
    made = client.post("/manage/surveys/new", data=form)
    assert made.status_code in (302, 303), made.get_data(as_text=True)[-2000:]
    with commune_scope(two_communes["beta"]):
        codes = set(db.session.scalars(sa.select(Survey.code)))
    new = codes - {"b_own-2025", "b_members-2025", "b_draft-2025"}
    assert len(new) == 1 and new.pop().startswith("own-2025") and not codes & alpha_codes
