"""Bad input, generated (hypothesis): random, huge, Unicode and control characters, wrong types,
missing and extra fields, SQL metacharacters. Every public page and form, the slip code,
sign-in and where it leads, the JSON endpoints and both CSV imports answer with a 4xx, the form
again with what is wrong, or a one-line error: never a 500 or a traceback, nor a redirect to
another site. A refused import writes nothing; a body over the size limit gets 413."""

from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.models import Response
from tests.factories import (
    EVERY_KIND,
    make_defined_survey,
    make_unit,
    make_user,
)

FUZZ = settings(
    max_examples=40,
    deadline=None,
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
