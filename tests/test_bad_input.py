"""Bad input, generated (hypothesis): random, huge, Unicode and control characters, wrong types,
missing and extra fields, SQL metacharacters. Every public page and form, the slip code,
sign-in and where it leads, the JSON endpoints, the workspace's search boxes and forms, and
every import (responses, annual figures, survey definitions, backups, accounts made on the
command line) answer with a 4xx, the form again with what is wrong, or a one-line error: never
a 500 or a traceback. A refused import writes nothing; a body over the size limit gets 413;
text with SQL in it is stored as typed and found only where it is."""

import csv
import io
import json
import os
import uuid
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.models import ROLES, AuditLog, Organization, Response, Survey, User
from tests.factories import (
    EVERY_KIND,
    make_defined_survey,
    make_organization,
    make_unit,
    make_user,
)

FUZZ = settings(
    max_examples=40,
    deadline=None,
    # New inputs on every run on a developer's machine; in CI the same ones every run, so that
    # a change is judged on its own (a new find there would block work it has nothing to do with).
    derandomize=os.environ.get("CI", "") not in ("", "0", "false"),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
NASTY = st.sampled_from(
    [
        "",
        " ",
        "'; DROP TABLE response; --",
        '" OR 1=1 --',
        "<script>alert(1)</script>",
        "\x00",
        "\u202e\u200b\ufeff",
        "9" * 400,
        "-1",
        "1e309",
        "NaN",
        "Infinity",
        "5.5",
        "ngheo|ngheo|ngheo",
        "Nông thôn mới 🌾",
        "²",  # a digit to str.isdigit(), not to int()
        "١٢",  # Arabic-Indic twelve
        "9" * 5000,  # more digits than int() reads
    ]
)
TEXT = st.one_of(NASTY, st.text(max_size=200), st.text(min_size=2000, max_size=6000))
FIELD_NAMES = st.sampled_from(
    [f"q_{q['code']}" for q in EVERY_KIND]
    + ["submission_uid", "started", "unit", "k", "lang", "csrf_token", "extra", "q_nope"]
)
FORMS = st.dictionaries(FIELD_NAMES, st.one_of(TEXT, st.lists(TEXT, max_size=4)), max_size=12)


def refused_cleanly(response):
    assert response.status_code < 500, response.status_code
    return response


@pytest.fixture
def public_survey(db):
    make_unit(db, code="thon1")
    return make_defined_survey(db, code="ks-fuzz")


@pytest.fixture
def member_survey(db):
    return make_defined_survey(db, code="members-fuzz", audience="member", topic="participation")


@pytest.fixture
def account(db):
    make_user(db, username="ubkt", role="inspector")
    db.session.commit()


@pytest.fixture
def inspector(client, account):
    client.post("/login", data={"username": "ubkt", "password": "a-long-password"})


# Fixtures run once per test, before hypothesis tries its examples against them.
@FUZZ
@given(data=FORMS)
def test_the_public_form_never_fails(client, db, public_survey, data):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Response))
    response = refused_cleanly(client.post("/s/ks-fuzz?u=thon1", data=data))
    after = db.session.scalar(sa.select(sa.func.count()).select_from(Response))
    if response.status_code == 422:
        assert after == before  # a refused form stores nothing


@FUZZ
@given(data=FORMS)
def test_a_member_surveys_slip_code_never_fails(client, member_survey, data):
    refused_cleanly(client.get("/s/members-fuzz", query_string={"k": data.get("k", "x")}))
    refused_cleanly(client.post("/s/members-fuzz", data=data))


@FUZZ
@given(username=TEXT, password=TEXT)
def test_sign_in_never_fails(client, account, username, password):
    response = refused_cleanly(
        client.post("/login", data={"username": username, "password": password})
    )
    assert response.status_code in (200, 400, 422, 429)


@FUZZ
@given(
    code=TEXT,
    year=st.integers(min_value=-(10**12), max_value=10**12),
    query=st.dictionaries(st.sampled_from(["lang", "org", "year", "k", "extra"]), TEXT),
)
def test_the_json_endpoints_never_fail(client, inspector, public_survey, code, year, query):
    refused_cleanly(client.get(f"/api/v1/evaluations/{year}", query_string=query))
    for survey_code in (code or "x", "ks-fuzz"):
        path = "/api/v1/surveys/" + quote(survey_code, safe="") + "/results"
        refused_cleanly(client.get(path, query_string=query))
    refused_cleanly(client.get("/healthz", query_string=query))


CSV_CELLS = st.lists(st.one_of(TEXT, st.just("thon1"), st.just("2025-10-12T09:30")), max_size=12)


def table_sizes(db):
    """Rows per table: what an import changed."""
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def succeeded(result, args):
    """Whether a command succeeded (exit 0); otherwise it must end with Click's one-line
    "Error: ..." and exit 1, never a traceback."""
    assert result.exit_code in (0, 1), (args, result.output, result.exception)
    if result.exit_code == 1:
        assert "Error: " in result.output, result.output  # a message, not a traceback
    return result.exit_code == 0


@FUZZ
@given(rows=st.lists(CSV_CELLS, max_size=5), header=st.booleans())
def test_imports_refuse_bad_files_with_a_message(
    runner, db, public_survey, tmp_path_factory, rows, header
):
    path = tmp_path_factory.mktemp("csv") / "in.csv"
    lines = [",".join(row) for row in rows]
    if header:
        lines.insert(0, "submission_uid,unit,submitted_at,channel,lang,hl,kenh")
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    for args in (
        ["responses", "import", "ks-fuzz", str(path)],
        ["indicators", "import", str(path)],
    ):
        before = table_sizes(db)
        if succeeded(runner.invoke(args=args), args):
            continue
        db.session.rollback()
        assert table_sizes(db) == before, args  # a refused file writes nothing


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, db):
    make_defined_survey(db, code="ks-big")
    response = client.post("/s/ks-big", data={"q_gop_y": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_a_nul_character_anywhere_gets_a_clear_400_and_stores_nothing(client, db):
    make_defined_survey(db, code="ks-nul")
    for response in (
        client.post("/s/ks-nul", data={"q_gop_y": "tốt\x00"}),
        client.get("/s/ks-nul", query_string={"u": "thon\x00"}),
        client.get("/s/ks%00"),
        client.post("/login", data={"username": "a\x00", "password": "b"}),
    ):
        assert response.status_code == 400
        assert "ký tự" in response.get_data(as_text=True)  # says what is wrong, in Vietnamese
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


# --- every public page, its path arguments and query strings ---------------------------------

OFF_SITE = [
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\\/evil.example",
    "///evil.example",
    " //evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "/%2F%2Fevil.example",
]
TRICKY_NEXT = st.sampled_from(OFF_SITE)
NEXT = st.one_of(TRICKY_NEXT, TEXT, st.builds(str.__add__, TRICKY_NEXT, TEXT))


def stays_on_this_site(response):
    """A redirect to a path of this site: not to another host, however a browser reads it."""
    assert response.status_code in (302, 303, 308), response.status_code  # 308: "//" merged
    location = response.headers["Location"].removeprefix("http://localhost")
    # Browsers drop tabs and newlines and read a backslash as a slash: none may start `//`.
    assert location.startswith("/") and location[1:2] not in ("/", "\\"), location
    assert not any(c in location for c in "\t\r\n\\ "), location


@FUZZ
@given(value=TEXT, other=TEXT)
def test_every_public_page_takes_any_address(client, public_survey, member_survey, value, other):
    segment = quote(value or "x", safe="")
    for path, query in (
        ("/", {"lang": value}),
        ("/feedback", {"org": value, "unit": other, "page": value}),
        (f"/r/{segment}", {}),
        (f"/s/ks-fuzz/done/{segment}", {}),
        (f"/s/{segment}/done/ABCDEFGH", {}),
        ("/s/ks-fuzz", {"u": value, "lang": other, "again": value}),
        (f"/s/{segment}", {"u": other}),
        ("/s/ks-fuzz/qr.svg", {"u": value}),
        ("/s/ks-fuzz/qr.png", {"u": value}),
        (f"/s/{segment}/qr.svg", {}),
        ("/s/ks-fuzz/poster", {"u": value, "lang": other}),
        (f"/s/{segment}/poster", {}),
        ("/s/members-fuzz", {"k": value, "lang": other}),
        ("/login", {"next": value}),
        ("/healthz", {value: other}),
        ("/sw.js", {value: other}),
    ):
        refused_cleanly(client.get(path, query_string=query)).close()  # sw.js: a file


def test_no_address_that_leads_off_the_site_is_followed(client, account):
    for target in OFF_SITE:
        stays_on_this_site(client.get("/lang/en", query_string={"next": target}))
        stays_on_this_site(
            client.post(
                "/login",
                query_string={"next": target},
                data={"username": "ubkt", "password": "a-long-password"},
            )
        )
        client.post("/logout")


@FUZZ
@given(code=TEXT, target=NEXT)
def test_the_language_switch_never_leaves_the_site(client, code, target):
    response = refused_cleanly(
        client.get("/lang/" + quote(code or "x", safe=""), query_string={"next": target})
    )
    if response.status_code not in (400, 404):  # a NUL character; a slash in the code
        stays_on_this_site(response)


@settings(FUZZ, max_examples=20)
@given(target=NEXT)
def test_signing_in_never_leads_off_the_site(client, account, target):
    response = refused_cleanly(
        client.post(
            "/login",
            query_string={"next": target},
            data={"username": "ubkt", "password": "a-long-password"},
        )
    )
    if response.status_code != 400:
        stays_on_this_site(response)
    client.post("/logout")


# --- the workspace's search boxes and filters ------------------------------------------------

NUMBERS = st.one_of(
    TEXT,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["9999-12-31", "0001-01-01", "2025-02-30", "2025-13-01", "99999-01-01"]),
)


@pytest.fixture
def administrator(client, db, public_survey):
    make_user(db, username="vanphong", role="admin")
    db.session.commit()
    client.post("/login", data={"username": "vanphong", "password": "a-long-password"})


@FUZZ
@given(text=TEXT, number=NUMBERS, other=NUMBERS)
def test_the_workspace_search_boxes_and_filters_take_anything(
    client, administrator, text, number, other
):
    for path, query in (
        (
            "/manage/feedback/",
            {"q": text, "org": text, "survey": text, "unit": text, "status": text, "page": number},
        ),
        ("/manage/feedback/1", {"q": text, "page": number}),
        (
            "/manage/audit/",
            {"user": text, "action": text, "target": text, "date_from": number, "date_to": other},
        ),
        ("/manage/audit/", {"page": number}),
        ("/manage/surveys/", {"year": number, "status": text, "topic": text}),
        ("/manage/surveys/new", {"year": number}),
        ("/dashboard/", {"year": number}),
        ("/dashboard/org/" + quote(text or "x", safe=""), {"year": number}),
        ("/dashboard/survey/ks-fuzz", {"lang": text}),
        ("/manage/ratings/" + quote(number.lstrip("-")[:40], safe=""), {}),
        ("/manage/indicators/x/" + quote(number.lstrip("-")[:40], safe=""), {}),
        ("/dashboard/report/" + quote(number.lstrip("-")[:40], safe="") + ".html", {}),
    ):
        refused_cleanly(client.get(path, query_string=query))


# --- survey definitions (flask survey load) --------------------------------------------------


def a_definition():
    """A definition that loads: every part a mutation below may break."""
    return {
        "code": "ks-load",
        "audience": "public",
        "topic": "satisfaction",
        "year": 2025,
        "title": {"vi": "Khảo sát", "en": "Survey"},
        "description": {"vi": "Giới thiệu"},
        "languages": ["vi", "en"],
        "organizations": ["nongdan"],
        "opens_at": "2025-10-01T00:00+07:00",
        "closes_at": "2025-12-31T00:00+07:00",
        "questions": [
            {
                "code": "hl",
                "kind": "likert5",
                "criterion": "satisfaction",
                "organization": "nongdan",
                "required": True,
                "text": {"vi": "Hài lòng?"},
                "help": {"vi": "1 đến 5"},
            },
            {
                "code": "kenh",
                "kind": "single",
                "text": {"vi": "Kênh?"},
                "options": [
                    {"code": "a", "label": {"vi": "A"}, "value": 1},
                    {"code": "b", "label": {"vi": "B"}},
                ],
            },
            {"code": "so", "kind": "number", "min_value": 0, "max_value": 10, "text": {"vi": "?"}},
            {
                "code": "vi_sao",
                "kind": "text",
                "feedback": True,
                "max_length": 200,
                "organization": "nongdan",
                "show_if": {"question": "hl", "in": [1, 2]},
                "text": {"vi": "Vì sao?"},
            },
        ],
    }


DEFINITION_PATHS = [
    (key,)
    for key in (
        *("code", "audience", "topic", "year", "title", "description", "languages"),
        *("organizations", "opens_at", "closes_at", "questions", "status", "extra"),
    )
] + [
    ("title", "vi"),
    ("languages", 0),
    ("organizations", 0),
    *[("questions", i) for i in range(4)],
    *[
        ("questions", i, key)
        for i in range(4)
        for key in (
            *("code", "kind", "text", "help", "required", "criterion", "organization"),
            *("feedback", "min_value", "max_value", "max_length", "show_if", "options", "extra"),
        )
    ],
    ("questions", 0, "text", "vi"),
    ("questions", 1, "options", 0),
    *[("questions", 1, "options", 1, key) for key in ("code", "label", "value", "extra")],
    *[("questions", 3, "show_if", key) for key in ("question", "in", "extra")],
    ("questions", 3, "show_if", "in", 0),
]
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | TEXT
    | st.sampled_from(
        [
            "0001-01-01T00:00+07:00",
            "9999-12-31T23:59-12:00",
            "2026-01-01T00:00",
            "hl",
            "nongdan",
            "likert5",
            "x" * 33,
            "\ud800",
            "abc\n",
            2**31,
            2**63,
        ]
    ),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=8,
)
DELETE = object()
MUTATIONS = st.lists(
    st.tuples(st.sampled_from(DEFINITION_PATHS), st.one_of(st.just(DELETE), JSON_VALUES)),
    min_size=1,
    max_size=3,
)


def mutated(definition, mutations):
    """The definition with each (path, value) applied: set, or deleted for DELETE."""
    for path, value in mutations:
        parent = definition
        for key in path[:-1]:
            try:
                parent = parent[key]
            except (KeyError, IndexError, TypeError):
                break
        else:
            key = path[-1]
            if value is not DELETE and isinstance(parent, dict):
                parent[key] = value
            elif isinstance(parent, dict):
                parent.pop(key, None)
            elif isinstance(parent, list) and isinstance(key, int) and key < len(parent):
                if value is DELETE:
                    del parent[key]
                else:
                    parent[key] = value
    return definition


@FUZZ
@given(
    content=st.one_of(
        MUTATIONS.map(lambda m: json.dumps(mutated(a_definition(), m)).encode()),
        JSON_VALUES.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=200),
        st.sampled_from([b"", b"{", b"\xff\xfe{}", b"[]", b"null", b'"x"', b"\xef\xbb\xbf{}"]),
    )
)
def test_a_survey_definition_loads_whole_or_not_at_all(runner, db, tmp_path_factory, content):
    if db.session.get(Organization, 1) is None:
        make_organization(db, code="nongdan")
        db.session.commit()
    path = tmp_path_factory.mktemp("definition") / "survey.json"
    path.write_bytes(content)
    load_whole_or_not_at_all(runner, db, path)


def load_whole_or_not_at_all(runner, db, path):
    """`survey load` the file: it loads (the survey is then deleted again) or ends with a
    one-line error, every table as it was."""
    args = ["survey", "load", str(path)]
    before = table_sizes(db)
    if succeeded(runner.invoke(args=args), args):
        db.session.rollback()
        for survey in db.session.scalars(sa.select(Survey)):
            db.session.delete(survey)
        db.session.commit()
    else:
        db.session.rollback()
        assert table_sizes(db) == before, path.read_text(errors="replace")


def every_path(value, path=()):
    """The path to every part of a JSON value, the value itself first."""
    yield path
    if isinstance(value, (dict, list)):
        for key, part in value.items() if isinstance(value, dict) else enumerate(value):
            yield from every_path(part, (*path, key))


@pytest.mark.parametrize("replacement", [None, DELETE], ids=["null", "missing"])
def test_a_definition_with_any_one_part_null_or_missing_loads_or_says_why(
    runner, db, tmp_path, replacement
):
    """Each part of a valid definition in turn null, or left out (random mutations may miss
    one: `"options": null` once ended in a traceback)."""
    make_organization(db, code="nongdan")
    db.session.commit()
    path = tmp_path / "survey.json"
    definition = a_definition()
    # Every part there is, and every question key any question has, on every question.
    keys = {key for question in definition["questions"] for key in question}
    extra = [("questions", i, key) for i in range(len(definition["questions"])) for key in keys]
    for where in [*list(every_path(definition))[1:], *extra]:
        path.write_text(json.dumps(mutated(a_definition(), [(where, replacement)])))
        load_whole_or_not_at_all(runner, db, path)


# --- backups (flask restore) -----------------------------------------------------------------


@pytest.fixture
def a_backup(runner, db, tmp_path_factory):
    """The bytes of a real backup of a small commune."""
    make_defined_survey(db, code="ks-backup")
    path = tmp_path_factory.mktemp("backup") / "backup.bin"
    assert runner.invoke(args=["backup", "-o", str(path)]).exit_code == 0
    return path.read_bytes()


@settings(FUZZ, max_examples=15)
@given(
    start=st.sampled_from([b"", b"SQLite format 3\x00", b"PGDMP", b"PGDMP\x01\x0e\x00\x04\x08"]),
    tail=st.binary(max_size=300),
    cut=st.floats(min_value=0, max_value=1),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=5),
    damaged=st.booleans(),
)
def test_a_damaged_backup_changes_nothing(
    runner, db, a_backup, tmp_path_factory, start, tail, cut, flips, damaged
):
    if damaged:  # a real backup, cut short and with some bytes changed
        content = bytearray(a_backup[: max(16, int(len(a_backup) * cut))])
        for where, byte in flips:
            content[int((len(content) - 1) * where)] = byte
    else:
        content = start + tail
    path = tmp_path_factory.mktemp("restore") / "backup.bin"
    path.write_bytes(bytes(content))
    before = table_sizes(db)
    args = ["restore", str(path), "--yes"]
    result = runner.invoke(args=args)
    db.session.remove()
    if not succeeded(result, args):
        assert table_sizes(db) == before  # the database is as it was
    elif db.engine.dialect.name == "sqlite":  # a restore that went through left it whole
        assert db.session.scalar(sa.text("PRAGMA quick_check")) == "ok"
        assert table_sizes(db)  # every table answers


# --- accounts made on the server (flask user create) -----------------------------------------

ARGUMENT = TEXT.map(lambda text: text.replace("\x00", ""))  # a command line cannot hold NUL


@FUZZ
@given(
    username=ARGUMENT,
    full_name=ARGUMENT,
    role=st.one_of(
        st.sampled_from(("admin", "committee", "inspector")), st.sampled_from(ROLES), ARGUMENT
    ),
    password=st.one_of(st.just("a-long-password"), st.just("a-long-password"), TEXT),
)
def test_an_account_from_the_command_line_is_made_or_refused_cleanly(
    runner, db, username, full_name, role, password
):
    args = ["user", "create", username, "--role", role, "--full-name", full_name]
    before = table_sizes(db)
    result = runner.invoke(args=args, input=password + "\n")
    assert result.exit_code in (0, 1, 2), (result.output, result.exception)  # 2: usage
    if result.exit_code:
        assert "Error" in result.output, result.output
        db.session.rollback()
        assert table_sizes(db) == before
    else:
        db.session.rollback()
        db.session.execute(sa.delete(AuditLog))
        db.session.execute(sa.delete(User))
        db.session.commit()


# --- the workspace's forms -------------------------------------------------------------------

RULES = st.sampled_from(
    [
        'name = "' + "n" * 100 + '"',
        'title = "Quy chế"\n[year."²"]\nname = "x"',
        '[year."' + "9" * 5000 + '"]\nname = "x"',
        "[year.2025]\n[[criteria]]\ncode = 1",
        "tiers = []",
        "[tiers]\nxuat_sac = 1e400",
    ]
)
WORKSPACE_FIELDS = st.sampled_from(
    [
        *("code", "name", "short_name", "members_count", "position", "adult_population"),
        *("households", "username", "full_name", "role", "organization", "unit", "password"),
        *("confirm", "COMMUNE_NAME", "DISTRICT_NAME", "PROVINCE_NAME", "PUBLIC_BASE_URL"),
        *("SUPPRESSION_K", "rules", "reason", "title_vi", "title_en", "description_vi"),
        *("languages", "audience", "topic", "year", "double_entry", "start", "source"),
        *("organizations", "kind", "text_vi", "help_vi", "required", "criterion"),
        *("show_if_question", "show_if_values", "feedback", "min_value", "max_value"),
        *("max_length", "options-0-code", "options-0-label_vi", "options-0-value"),
        *("options-0-order", "options-1-code", "options-1-label_vi", "opens_at", "closes_at"),
        *("status", "forwarded_to", "public_reply", "published", "note", "members_start"),
        *("attendance_rate", "veto_discipline", "vetoes_shown", "sheet", "sheet_no", "count"),
        *("q_hl", "q_kenh", "q_phong_trao", "q_so_buoi", "q_gop_y", "direction"),
    ]
)
WORKSPACE_VALUES = st.one_of(
    TEXT.map(lambda text: text.replace("\x00", "")),  # NUL: a 400 before any form, tested above
    RULES,
    st.sampled_from(
        [
            *("admin", "committee", "org_officer", "thon1", "open", "2025", "1", "0", "y"),
            *("likert5", "single", "text", "number", "answered", "forwarded", "closed"),
            *("public", "satisfaction", "blank", "copy", "1e20", "-1e20", "2147483648"),
            *("0001-01-01T00:00", "9999-12-31T23:59", "2025-10-01T07:00", "http://x.vn"),
        ]
    ),
)
WORKSPACE_FORMS = st.dictionaries(
    WORKSPACE_FIELDS,
    st.one_of(WORKSPACE_VALUES, st.lists(WORKSPACE_VALUES, max_size=3)),
    max_size=14,
)


@pytest.fixture
def workspace(db, administrator, public_survey, member_survey):
    """Something for every workspace form to change: a survey with feedback, a draft, a
    double-entry survey, an officer's account, annual figures."""
    from survey.models import FeedbackItem
    from tests.factories import submit_and_commit

    submit_and_commit(
        public_survey, {"hl": 1, "ly_do": "Đường hỏng", "kenh": "loa"}, submission_uid="u-1"
    )
    make_defined_survey(db, code="ks-draft", status="draft")
    make_defined_survey(db, code="ks-double", double_entry=True)
    officer = make_user(db, username="canbo", role="committee")
    db.session.commit()
    return {
        "org": public_survey.organizations[0].code,
        "officer": officer.id,
        "item": db.session.scalar(sa.select(FeedbackItem.id)),
    }


def valid_forms(org, officer, item):
    """What each workspace form takes: a real value in every field the form needs."""
    question = {"kind": "single", "text_vi": "Kênh?", "organization": "", "show_if_question": ""}
    question |= {"required": "y", "options-0-code": "loa"}
    question |= {"options-0-label_vi": "Loa", "options-1-code": "hop", "options-1-label_vi": "Họp"}
    survey = {"year": "2025", "audience": "public", "topic": "satisfaction", "title_vi": "Tên"}
    sheet = {"unit": "thon1", "sheet": "1", "q_hl": "4", "q_kenh": "1", "q_gop_y": "Tốt"}
    village = {"name": "Thôn", "adult_population": "100", "households": "50", "position": "3"}
    organization = {"name": "Hội", "short_name": "Hội", "members_count": "10", "position": "5"}
    account = {"full_name": "Cán bộ", "role": "committee", "organization": "", "unit": ""}
    password = {"password": "another-long-password", "confirm": "another-long-password"}
    return {
        "/manage/surveys/new": survey
        | {"start": "blank", "code": "ks-new", "languages": "vi", "organizations": org},
        "/manage/surveys/ks-draft": survey | {"code": "ks-draft", "languages": "vi"},
        "/manage/surveys/ks-draft/schedule": {"opens_at": "2025-10-01T07:00"},
        "/manage/surveys/ks-draft/clone": {"code": "ks-clone"},
        "/manage/surveys/ks-draft/questions/new": question | {"code": "moi"},
        "/manage/surveys/ks-draft/questions/kenh": question | {"code": "kenh"},
        "/manage/surveys/ks-draft/questions/co_du/move": {"direction": "down"},
        "/manage/surveys/ks-fuzz/questions/kenh": question | {"code": "kenh"},
        "/manage/surveys/ks-draft/preview": sheet,
        f"/manage/feedback/{item}": {"status": "forwarded", "forwarded_to": "UBND xã"},
        f"/manage/indicators/{org}/2025": {"members_start": "100", "note": "Ghi chú"},
        "/manage/admin/users/new": account | password | {"username": "moi"},
        f"/manage/admin/users/{officer}/edit": account,
        f"/manage/admin/users/{officer}/password": password,
        "/manage/admin/villages/new": village | {"code": "thonmoi"},
        "/manage/admin/villages/thon1/edit": village | {"code": "thon1"},
        "/manage/admin/organizations/new": organization | {"code": "hoimoi"},
        f"/manage/admin/organizations/{org}/edit": organization | {"code": org},
        "/manage/admin/settings": {
            "COMMUNE_NAME": "xã Hà Tam",
            "PUBLIC_BASE_URL": "http://survey.test",
            "SUPPRESSION_K": "5",
        },
        "/manage/admin/rules": {"rules": 'title = "Quy chế"'},
        "/manage/ratings/2025/finalize": {"reason": "Số liệu được sửa", "confirm": "y"},
        "/manage/paper/ks-fuzz": sheet,
        "/manage/paper/ks-double": sheet,
        "/manage/paper/ks-double/differences": sheet | {"sheet_no": "thon1-0001"},
        "/manage/paper/members-fuzz/slips": {"unit": "thon1", "count": "2"},
    }


@settings(FUZZ, max_examples=25)
@given(changes=WORKSPACE_FORMS)
def test_the_workspace_forms_never_fail(client, workspace, changes):
    """Each form gets what it takes, with some fields changed (or added) at random."""
    for path, data in valid_forms(**workspace).items():
        refused_cleanly(client.post(path, data=data | changes))


# Values the generated ones seldom hit, each of which once gave a 500 somewhere.
EDGE_VALUES = [
    ("/manage/surveys/ks-draft/schedule", {"opens_at": "0001-01-01T00:00"}),
    ("/manage/surveys/ks-draft/questions/new", {"kind": "text", "max_length": "1e20"}),
    ("/manage/surveys/ks-draft/questions/new", {"kind": "text", "max_length": "2147483648"}),
    ("/manage/paper/ks-fuzz", {"q_kenh": "²"}),
    ("/manage/paper/ks-fuzz", {"q_phong_trao": "9" * 5000}),
    ("/manage/paper/members-fuzz/slips", {"count": "²"}),
    ("/manage/admin/settings", {"SUPPRESSION_K": "9" * 40}),
    ("/manage/admin/villages/new", {"code": "thonmoi", "position": "9" * 40}),
    ("/manage/admin/rules", {"rules": '[year."²"]\nname = "x"'}),
    ("/manage/admin/rules", {"rules": '[year."' + "9" * 5000 + '"]\nname = "x"'}),
    ("/manage/admin/rules", {"rules": 'name = "' + "n" * 65 + '"'}),  # then finalized below
]


def test_the_workspace_takes_edge_values(client, workspace):
    forms = valid_forms(**workspace)
    for path, changes in EDGE_VALUES:
        response = refused_cleanly(client.post(path, data=forms[path] | changes))
        assert response.status_code != 200 or path.endswith("/slips"), (path, changes)
    refused_cleanly(client.post("/manage/ratings/2025/finalize", data={"reason": "Lý do"}))
    for path, query in (
        ("/manage/audit/", {"date_to": "9999-12-31"}),
        ("/manage/audit/", {"date_from": "0001-01-01"}),
        ("/manage/audit/", {"page": "9" * 40}),
        ("/manage/feedback/", {"page": "9" * 40}),
        ("/dashboard/report/" + "9" * 40 + ".html", {}),
    ):
        refused_cleanly(client.get(path, query_string=query))


# --- SQL metacharacters: stored as typed, found only where they are --------------------------

SQL_TEXTS = [
    "'; DROP TABLE response; --",
    '"; DELETE FROM answer WHERE 1=1; --',
    "' OR '1'='1",
    "hài lòng 100% rồi",
    "đúng_hạn",
    "C:\\thư mục\\",
]


def listed_items(client, query):
    """How many feedback items the inbox lists for its search box holding `query`."""
    html = client.get("/manage/feedback/", query_string={"q": query}).get_data(as_text=True)
    return html.count('<td class="text">')


def test_sql_metacharacters_are_stored_and_found_literally(client, db, administrator):
    from survey.audit import trail
    from survey.models import Answer, FeedbackItem

    survey = db.session.scalar(sa.select(Survey).where(Survey.code == "ks-fuzz"))
    for text in SQL_TEXTS:
        data = {"submission_uid": str(uuid.uuid4()), "q_hl": "1", "q_kenh": "loa"}
        data |= {"q_ly_do": text[:50], "q_gop_y": text}
        assert client.post("/s/ks-fuzz?u=thon1", data=data).status_code == 303
    for target in ("a%b", "a_b", "ab", "a\\b", "axb"):
        trail.record("test.target", target)
    db.session.commit()

    # Stored as typed, every table still there
    stored = db.session.scalars(sa.select(Answer.text).where(Answer.kind == "text")).all()
    assert sorted(stored) == sorted([t[:50] for t in SQL_TEXTS] + SQL_TEXTS)
    feedback = db.session.scalars(sa.select(FeedbackItem.text)).all()
    assert sorted(feedback) == sorted(t[:50] for t in SQL_TEXTS)
    sizes = table_sizes(db)
    assert sizes["response"] == len(SQL_TEXTS) and sizes["answer"] > 0

    # Found literally: a wildcard finds only the text that holds it
    assert listed_items(client, "") == len(SQL_TEXTS)
    for query, found in (("%", 1), ("_", 1), ("\\", 1), ("'", 2), ("--", 2), ("xyz%", 0)):
        assert listed_items(client, query) == found, query
    for text in SQL_TEXTS:
        assert listed_items(client, text[:50]) == 1, text
    for query, found in (("%", 1), ("_", 1), ("\\", 1), ("a", 5)):
        html = client.get("/manage/audit/", query_string={"target": query}).get_data(as_text=True)
        assert html.count('class="audit-entry"') == found, query

    # The public page's filters match codes exactly, and the export holds the texts as typed
    item = db.session.scalar(sa.select(FeedbackItem).limit(1))
    item.status, item.public_reply, item.published = "answered", "Đã sửa", True
    db.session.commit()
    org = survey.organizations[0].code
    for value, shown in ((org, 1), ("' OR '1'='1", 0), ("%", 0), (org + "' --", 0)):
        html = client.get("/feedback", query_string={"org": value}).get_data(as_text=True)
        assert html.count('class="reply-card"') == shown, value
    survey.status = "closed"  # every response is in the export, not only the released batches
    db.session.commit()
    export = client.get("/dashboard/survey/ks-fuzz/export.csv").get_data(as_text=True)
    cells = {cell for row in csv.reader(io.StringIO(export)) for cell in row}
    assert set(SQL_TEXTS) <= cells
