"""Input too deep or too large for its parser: every command and page that reads JSON, TOML or
CSV refuses it with a one-line error (the line and the column, for CSV), exit 1 or the form
again, and writes nothing; never a traceback, a 500 or a worker filling its memory."""

import json

import pytest

from tests.factories import make_defined_survey, make_organization, make_user, saved_setting
from tests.test_bad_input import a_definition, table_sizes

DEEP = 200_000


def refused(result, *words):
    """Exit 1 with Click's one-line `Error: ...` naming the problem; no traceback."""
    assert result.exit_code == 1, (result.output, result.exception)
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    assert "Error: " in result.output, result.output
    for word in words:
        assert word in result.output, result.output
    return result.output


def deep_list(depth):
    return "[" * depth + "]" * depth


def definition_with(where, raw):
    """A valid definition's JSON with the value at `where` replaced by the raw JSON `raw`."""
    text = json.dumps(a_definition() | {where: "@@"})
    return text.replace('"@@"', raw)


@pytest.mark.parametrize(
    "content",
    [
        deep_list(DEEP),
        '{"code": ' * DEEP + "1" + "}" * DEEP,
        definition_with("title", deep_list(DEEP)),
        # Below Python's recursion limit: the parser reads it, what reads it next must not fail.
        definition_with("languages", deep_list(900)),
        definition_with("organizations", deep_list(900)),
        definition_with("questions", "[" + deep_list(900) + "]"),
    ],
    ids=["top", "object", "title", "languages-900", "organizations-900", "questions-900"],
)
def test_a_definition_nested_too_deeply_is_refused_in_one_line(runner, db, tmp_path, content):
    make_organization(db, code="nongdan")
    db.session.commit()
    path = tmp_path / "survey.json"
    path.write_text(content, encoding="utf-8")
    before = table_sizes(db)
    output = refused(runner.invoke(args=["survey", "load", str(path)]), "survey.json", "nested")
    assert len(output.strip().splitlines()) == 1 and len(output) < 400
    assert table_sizes(db) == before


def test_a_definition_file_too_large_is_refused_unread(runner, db, tmp_path):
    path = tmp_path / "survey.json"
    with path.open("w", encoding="utf-8") as f:  # valid JSON, 11 MB of it
        f.write('{"code": "x", "padding": "' + "x" * (11 * 1024 * 1024) + '"}')
    before = table_sizes(db)
    refused(runner.invoke(args=["survey", "load", str(path)]), "survey.json", "MB")
    assert table_sizes(db) == before


# --- CSV: responses import, indicators import ----------------------------------------------


@pytest.fixture
def csv_world(db):
    make_organization(db, code="nongdan")
    make_defined_survey(
        db,
        code="ks-csv",
        questions=[
            {"code": "hl", "kind": "likert5", "text": {"vi": "Hài lòng?"}},
            {"code": "gop_y", "kind": "text", "text": {"vi": "Góp ý"}},
        ],
    )


RESPONSES_HEADER = "submission_uid,unit,submitted_at,channel,lang,hl,gop_y"
GOOD_RESPONSE = "u1,,2025-10-12T09:30,paper,vi,4,tốt"
INDICATORS_HEADER = "organization,year,members_start,note"
GOOD_INDICATORS = "nongdan,2024,100,"


def csv_cases():
    long_cell = "x" * 200_000
    return {
        "responses": (
            ["responses", "import", "ks-csv"],
            RESPONSES_HEADER,
            GOOD_RESPONSE,
            (f"u2,,2025-10-12T09:30,paper,vi,4,{long_cell}", "gop_y"),
            (f'u2,,2025-10-12T09:30,paper,vi,4,"a\n{long_cell}"', "gop_y"),
        ),
        "indicators": (
            ["indicators", "import"],
            INDICATORS_HEADER,
            GOOD_INDICATORS,
            (f"nongdan,2025,100,{long_cell}", "note"),
            (f'nongdan,2025,100,"a\n{long_cell}"', "note"),
        ),
    }


@pytest.mark.parametrize("command", ["responses", "indicators"])
@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted-over-lines"])
def test_a_csv_cell_too_large_is_refused_with_its_line_and_column(
    runner, db, csv_world, tmp_path, command, quoted
):
    args, header, good, *bad_rows = csv_cases()[command]
    bad, column = bad_rows[quoted]
    path = tmp_path / "in.csv"
    path.write_text(f"{header}\n{good}\n{bad}\n", encoding="utf-8")
    before = table_sizes(db)
    output = refused(runner.invoke(args=[*args, str(path)]), "nothing imported")
    line = 4 if quoted else 3  # the line where the cell grows past the limit
    assert f"line {line}, column '{column}': a cell is longer than 131,072 characters" in output
    assert len(output) < 600
    assert table_sizes(db) == before


@pytest.mark.parametrize("command", ["responses", "indicators"])
def test_a_csv_with_a_nul_is_refused_with_its_line_and_column(
    runner, db, csv_world, tmp_path, command
):
    args, header, good, *bad_rows = csv_cases()[command]
    bad, column = bad_rows[0]
    path = tmp_path / "in.csv"
    with_nul = bad.replace("x" * 200_000, "tốt\x00")  # in the free text
    path.write_text(f"{header}\n{good}\n{with_nul}\n", encoding="utf-8")
    before = table_sizes(db)
    output = refused(runner.invoke(args=[*args, str(path)]), "nothing imported")
    assert f"line 3, column '{column}': a NUL character" in output
    assert table_sizes(db) == before


@pytest.mark.parametrize("command", ["responses", "indicators"])
def test_a_csv_header_too_large_is_refused(runner, db, csv_world, tmp_path, command):
    args, *_rest = csv_cases()[command]
    path = tmp_path / "in.csv"
    path.write_text("x" * 200_000 + "\n", encoding="utf-8")
    output = refused(runner.invoke(args=[*args, str(path)]), "nothing imported")
    assert "line 1, column 1: a cell is longer than 131,072 characters" in output


# --- TOML: the rule set, on the admin page and in instance/rules.toml -----------------------

TOO_DEEP_TOML = {
    "arrays": "name = " + deep_list(5000),
    "inline tables": "tiers = " + "{a=" * 4000 + "1" + "}" * 4000,
    "dotted key": "tiers." + "a." * 9000 + "b = 1",  # tomllib takes quadratic memory on it
    "table header": "[tiers." + "a." * 9000 + "b]",
    "quoted dotted key": "tiers." + '"a".' * 4500 + "b = 1",
}


@pytest.fixture
def office(client, db):
    make_user(db, username="vanphong", role="admin")
    db.session.commit()
    client.post("/login", data={"username": "vanphong", "password": "a-long-password"})
    return client


@pytest.mark.parametrize("text", TOO_DEEP_TOML.values(), ids=TOO_DEEP_TOML.keys())
def test_the_rules_page_refuses_a_rule_set_too_deep(office, db, text):
    assert len(text) <= 20000  # what the form takes
    response = office.post("/manage/admin/rules", data={"rules": text})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Bộ tiêu chí chưa được lưu" in html and "nested" in html
    assert saved_setting(db, "RULES_TOML") is None


@pytest.mark.parametrize(
    "text", [*TOO_DEEP_TOML.values(), "# " + "x" * 200_000], ids=[*TOO_DEEP_TOML, "too long"]
)
def test_a_rules_file_too_deep_or_large_is_refused_in_one_line(runner, db, instance_path, text):
    (instance_path / "rules.toml").write_text(text, encoding="utf-8")
    output = refused(runner.invoke(args=["evaluate", "--year", "2025"]), "rules.toml")
    assert len(output.strip().splitlines()) == 1 and len(output) < 400


def test_a_rules_file_without_trouble_still_loads(runner, db, instance_path):
    """What the checks before parsing let through: strings with brackets, dots and '#'."""
    text = (
        'name = "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r [[[[{{{{"\n'
        "title = '''x.y.z.\n[[[[[[[[[[[[[[[[[[[[[[[ # ]'''\n"
        "tiers = { tot = 70.5, hoan_thanh = 50.5 } # a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q [[[[[[[[\n"
        '[year."2025".tiers]\nxuat_sac = 90.5\n'
    )
    (instance_path / "rules.toml").write_text(text, encoding="utf-8")
    result = runner.invoke(args=["evaluate", "--year", "2025", "--format", "json"])
    assert result.exit_code == 0, result.output


def test_a_value_too_large_is_quoted_short(runner, db, tmp_path):
    make_organization(db, code="nongdan")
    db.session.commit()
    path = tmp_path / "survey.json"
    path.write_text(definition_with("code", json.dumps("X" * 1_000_000)), encoding="utf-8")
    output = refused(runner.invoke(args=["survey", "load", str(path)]), "code: 'XXX", "lowercase")
    assert len(output.strip().splitlines()) == 1 and len(output) < 600


@pytest.mark.parametrize(
    "text", [TOO_DEEP_TOML["arrays"], "[tiers", "tiers = 1"], ids=["too deep", "not TOML", "wrong"]
)
def test_no_page_fails_on_a_broken_rules_file(app, db, instance_path, text):
    """Every page, download and JSON (read as the office, which sees them all) answers when
    instance/rules.toml cannot be read: the page, or the server's 500 saying what is wrong
    with the file (the deployment's mistake, not the reader's); never a traceback."""
    from tests.test_route_access import (
        ACCESS,
        _url,
        build_world,
        protected_rules,
        sign_in_quickly,
    )

    world_args = build_world(db)
    (instance_path / "rules.toml").write_text(text, encoding="utf-8")
    client = app.test_client()
    sign_in_quickly(client, db, "admin")
    failed = []
    for rule, method in protected_rules(app):
        if method == "GET":
            url = _url(app, rule, ACCESS[(rule.endpoint, method)], world_args)
            try:
                response = client.get(url)
            except Exception as error:  # noqa: BLE001 - the test client re-raises what failed
                failed.append(f"{url}: {error!r}")
                continue
            if response.status_code >= 500 and "rules.toml" not in response.get_data(as_text=True):
                failed.append(f"{url}: {response.status_code} without saying why")
    assert not failed
