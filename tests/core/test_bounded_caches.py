"""What a worker keeps between requests stays bounded whatever visitors send: the public form's
rendered pages, its questions and form classes, the surveys' structure and the kept figures.

A page is kept by what shapes it (survey version, languages, the village or none, the
commune's settings); an address's made-up parts (?u=, ?lang=, survey codes) add no entry.
"""

import re
import secrets

import pytest

from survey.ratings import kept_figures
from survey.ratings.kept_figures import figure, kept
from survey.responses import catalog, survey_form
from survey.responses import views as take
from tests.factories import make_defined_survey, make_unit

PAGE_CACHES = {
    "rendered pages": (take, "_BLANK_PAGES"),
    "questions": (take, "_BLANK_QUESTIONS"),
    "form classes": (survey_form, "_FORM_CLASSES"),
    "survey structures": (catalog, "_SNAPSHOTS"),
}


def sizes():
    return {name: len(getattr(module, attr)) for name, (module, attr) in PAGE_CACHES.items()}


def made_up(length=400):
    return secrets.token_urlsafe(length)[:length]


def without_per_visit_values(html):
    """The page less the three values each visit gets (its submission id, start, CSRF)."""
    return re.sub(
        r'(name="(?:submission_uid|started|csrf_token)" type="hidden" value=")[^"]*"',
        r'\1"',
        html,
    )


@pytest.fixture
def survey(db):
    make_unit(db, code="thon-bac", name="Thôn Bắc")
    found = make_defined_survey(db)
    db.session.commit()
    return found


def test_thousands_of_made_up_village_codes_keep_one_page(client, survey):
    """The red team's 12,000 GETs of ?u=<random>: each made-up code is "no village", the page
    already kept for it; the worker keeps nothing more."""
    for _ in range(2000):
        response = client.get(f"/s/{survey.code}?u={made_up()}")
        assert response.status_code == 200
    assert len(take._BLANK_PAGES) == 1
    assert client.get(f"/s/{survey.code}?u=thon-bac").status_code == 200
    assert len(take._BLANK_PAGES) == 2  # a real village has a page of its own


def test_a_made_up_village_gets_exactly_the_no_village_page(client, survey):
    plain = client.get(f"/s/{survey.code}").get_data(as_text=True)
    code = made_up(40)
    unknown = client.get(f"/s/{survey.code}?u={code}").get_data(as_text=True)
    assert code not in unknown  # nothing of the address is written back into the page
    assert without_per_visit_values(unknown) == without_per_visit_values(plain)
    odd_language = client.get(f"/s/{survey.code}?u={code}&lang=xx").get_data(as_text=True)
    assert without_per_visit_values(odd_language) == without_per_visit_values(plain)
    village = client.get(f"/s/{survey.code}?u=thon-bac").get_data(as_text=True)
    assert "Thôn Bắc" in village and without_per_visit_values(village) != (
        without_per_visit_values(plain)
    )


def test_made_up_languages_survey_codes_and_villages_add_no_entry(client, survey):
    client.get(f"/s/{survey.code}")
    client.post(f"/s/{survey.code}", data={"q_hl": ""})
    before = sizes()
    for _ in range(100):
        assert client.get(f"/s/{made_up(60)}").status_code == 404
        assert client.get(f"/s/{survey.code}?lang={made_up(30)}").status_code == 200
        sent = client.post(f"/s/{survey.code}?u={made_up()}&lang={made_up(8)}", data={"q_hl": ""})
        assert sent.status_code == 422
    assert sizes() == before


def test_every_cache_stays_within_its_bound(client, db, monkeypatch):
    """More real keys than a cache may hold (villages, surveys, languages): the least recently
    used entries go."""
    for name, (module, attr) in PAGE_CACHES.items():
        assert getattr(module, attr).maxsize >= 64, name  # room for a commune's real keys
        monkeypatch.setattr(getattr(module, attr), "maxsize", 3)
    villages = [make_unit(db).code for _ in range(4)]
    surveys = [make_defined_survey(db).code for _ in range(4)]
    db.session.commit()
    for code in surveys:
        for lang in ("vi", "en"):
            for village in villages:
                assert client.get(f"/s/{code}?u={village}&lang={lang}").status_code == 200
            sent = client.post(f"/s/{code}?lang={lang}", data={"q_hl": ""})
            assert sent.status_code == 422
    assert all(size <= 3 for size in sizes().values()), sizes()
    assert sizes()["rendered pages"] == 3  # full, and still serving


@figure("test: the number")
def the_number(n):
    return n


def test_kept_figures_stay_within_their_bound(app, db, monkeypatch):
    assert kept_figures.MAX_ENTRIES >= 64  # every year and survey a commune reads
    monkeypatch.setattr(kept_figures, "MAX_ENTRIES", 3)
    for n in range(10):
        assert kept("test: the number", n).value == n
    assert len(app.extensions["aggregate_cache"].entries) == 3
