"""No internal code on any screen: signed in as the office, the Standing Committee, the
inspection committee and an organization's officer, every page reachable from /manage/ and
/dashboard/ is visited in Vietnamese, and none shows a question, option, village, organization,
criterion, tier or survey code, or the rule set's name, as text. Codes may stay in addresses,
form values, downloads, and a closed "Nâng cao" detail.
"""

import html
import re

import pytest
import sqlalchemy as sa

from analytics import criterion_codes
from survey.demo.seed import seed_demo
from survey.models import TIERS, Option, Organization, Question, Survey, Unit, User

PASSWORD = "crawl-pass-123"
ROLES = ("vanphong", "thuongtruc", "ubkt", "hoinongdan")  # office, committee, UBKT, officer
DOWNLOADS = ("/logout", ".csv", ".xlsx", ".docx", ".json", "/export", "/download")


def visible_text(page):
    """What a reader sees: no closed <details>, scripts, styles, typed text, tags or head."""
    page = re.sub(r"<head>.*?</head>", " ", page, flags=re.S)
    page = re.sub(r"<details(?![^>]*\bopen\b)[^>]*>.*?</details>", " ", page, flags=re.S)
    page = re.sub(r"<(script|style|textarea)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def codes_of_the_commune(db):
    """Every code the pages must not show, by kind; leaving out the codes that are words of the
    commune's own texts ("xong" is an option's code and a Vietnamese word) or someone's
    username (the demo's village officer signs in as "thon1")."""
    codes = {}
    for model, kind in ((Question, "question"), (Option, "option"), (Survey, "survey")):
        codes.update((code, kind) for code in db.session.scalars(sa.select(model.code)))
    for model, kind in ((Unit, "village"), (Organization, "organization")):
        codes.update((code, kind) for code in db.session.scalars(sa.select(model.code)))
    codes.update((code, "criterion") for code in criterion_codes())
    codes.update((tier, "tier") for tier in TIERS)
    codes["default"] = "rule set"
    words = set()
    for texts in db.session.scalars(sa.select(Question.text)):
        words |= set(re.findall(r"\w+", " ".join(texts.values())))
    for labels in db.session.scalars(sa.select(Option.label)):
        words |= set(re.findall(r"\w+", " ".join(labels.values())))
    # A survey's own title and introduction, in each of its languages (its audio page shows
    # them all: "supervision" is a word of the English one).
    for column in (Survey.title, Survey.description):
        for texts in db.session.scalars(sa.select(column)):
            words |= set(re.findall(r"\w+", " ".join((texts or {}).values())))
    usernames = set(db.session.scalars(sa.select(User.username)))
    return {
        code: kind
        for code, kind in codes.items()
        if len(code) >= 3 and not code.isdigit() and code not in words | usernames
    }


def code_pattern(codes):
    alternatives = "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
    return re.compile(rf"(?<![\w/.:-])({alternatives})(?![\w-])")


def test_the_pattern_finds_a_code_and_skips_what_a_reader_does_not_see():
    pattern = code_pattern({"hl_chamlo": "question", "thon5": "village"})
    shown = "<td>hl_chamlo</td><a href='/s/x?u=thon5'>Thôn 5</a>"
    hidden = "<details><summary>Nâng cao</summary>thon5</details><textarea>hl_chamlo</textarea>"
    assert [m.group(1) for m in pattern.finditer(visible_text(shown))] == ["hl_chamlo"]
    assert pattern.search(visible_text(hidden)) is None
    assert pattern.search(visible_text("<details open>thon5</details>")) is not None


def crawl(client):
    """Every page reachable from the workspace and the dashboards: {address: html}."""
    pages, todo, seen = {}, ["/manage/", "/dashboard/"], set()
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            response.close()  # a file sent (an evidence photo): its handle goes with it
            continue
        pages[url] = response.get_data(as_text=True)
        for href in re.findall(r'href="([^"#]+)', pages[url]):
            href = html.unescape(href)
            if href.startswith(("/manage", "/dashboard")) and not any(
                part in href for part in DOWNLOADS
            ):
                todo.append(href)
    return pages


@pytest.fixture
def demo(app, db):
    seed_demo(seed=3, responses=300, password=PASSWORD)
    db.session.commit()
    return codes_of_the_commune(db)


def test_no_code_shows_on_any_page_for_any_role(app, db, demo):
    pattern = code_pattern(demo)
    shown, visited = {}, 0
    for username in ROLES:
        client = app.test_client()
        assert (
            client.post("/login", data={"username": username, "password": PASSWORD}).status_code
            == 302
        )
        pages = crawl(client)
        visited += len(pages)
        for url, page in pages.items():
            for found in pattern.finditer(visible_text(page)):
                shown.setdefault(f"{demo[found.group(1)]} {found.group(1)}", url)
    assert visited > 300  # every role's pages: surveys, questions, ratings, results, admin...
    assert shown == {}
