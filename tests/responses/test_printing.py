"""Posters, QR codes and slips one click from a survey's page: every village's poster and QR
code, the link to share, slips for member surveys; each printable page has its way back and a
print button; and while PUBLIC_BASE_URL still names this machine, the pages say so on screen."""

import re

import pytest

from survey.core.extensions import db as _db
from survey.models import Setting
from tests.factories import (
    make_defined_survey,
    make_organization,
    make_unit,
    make_user,
    saved_setting,
)

PASSWORD = "a-long-password"
QUESTIONS = [{"code": "hl", "kind": "likert5", "required": True, "text": {"vi": "Hài lòng?"}}]
WARNING = "địa chỉ chỉ dùng được trên máy tính này"


@pytest.fixture
def world(db):
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã")
    for n, name in enumerate(("Thôn Một", "Làng Kon Hring"), start=1):
        make_unit(db, code=f"thon{n}", name=name, position=n)
    make_user(db, username="officer", role="org_officer", password=PASSWORD, organization=nongdan)
    make_user(db, username="office", role="admin", password=PASSWORD)
    make_user(db, username="committee", role="committee", password=PASSWORD)
    # As `make run` leaves it until the office sets the address people reach the site at.
    db.session.add(Setting(key="PUBLIC_BASE_URL", value="http://127.0.0.1:5000"))
    public = make_defined_survey(db, questions=QUESTIONS, org=nongdan)
    member = make_defined_survey(db, questions=QUESTIONS, org=nongdan, audience="member")
    _db.session.commit()
    return {"public": public.code, "member": member.code}


def public_address(db, url):
    from survey.commune.settings import forget_cached

    saved_setting(db, "PUBLIC_BASE_URL").value = url
    db.session.commit()
    forget_cached()


def test_the_surveys_page_offers_every_villages_poster_and_qr_code(client, login, world):
    login("officer", PASSWORD)
    code = world["public"]
    page = client.get(f"/manage/surveys/{code}").get_data(as_text=True)
    section = page[page.index('id="invite"') : page.index('id="questions"')]
    assert f'value="http://127.0.0.1:5000/s/{code}"' in section  # the link to share
    assert "data-copy=" in section
    links = re.findall(r'href="([^"]+)"', section)
    assert f"/s/{code}/poster" in links
    for village in ("thon1", "thon2"):
        assert f"/s/{code}/poster?u={village}" in links
        assert any(link.startswith(f"/s/{code}/qr.png?") and village in link for link in links)
        assert any(link.startswith(f"/s/{code}/qr.svg?") and village in link for link in links)
    assert "Áp phích cho Làng Kon Hring" in section
    for link in links:  # every one of them works for the officer
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
        if "qr.png" in link:
            assert response.mimetype == "image/png"
    # A public survey has no slips; a member survey offers them to who prints them.
    assert "/slips" not in section
    member = client.get(f"/manage/surveys/{world['member']}").get_data(as_text=True)
    assert f"/manage/paper/{world['member']}/slips" in member
    client.post("/auth/logout")
    login("committee", PASSWORD)  # reads the survey, prints no slips
    member = client.get(f"/manage/surveys/{world['member']}").get_data(as_text=True)
    assert "/slips" not in member and f"/s/{world['member']}/poster" in member


def test_a_poster_has_its_way_back_and_a_print_button(client, login, world):
    code = world["public"]
    citizen = client.get(f"/s/{code}/poster?u=thon1").get_data(as_text=True)
    assert "data-print" in citizen and "Ctrl+P" in citizen
    assert f'href="/s/{code}?u=thon1"' in citizen  # back to the survey itself
    login("officer", PASSWORD)
    officer = client.get(f"/s/{code}/poster?u=thon1").get_data(as_text=True)
    assert f'href="/manage/surveys/{code}#invite"' in officer


@pytest.mark.parametrize(
    "path", ["/manage/surveys/{public}", "/s/{public}/poster", "/manage/admin/settings"]
)
def test_a_local_public_address_is_said_plainly(client, login, world, db, path):
    login("office", PASSWORD)
    url = path.format(**world)
    assert WARNING in client.get(url).get_data(as_text=True)
    public_address(db, "https://khaosat.hatam.gov.vn")
    assert WARNING not in client.get(url).get_data(as_text=True)


def test_the_slips_page_says_it_too_and_prints_ten_to_a_sheet(client, login, world, db):
    login("office", PASSWORD)
    code = world["member"]
    sent = client.post(f"/manage/paper/{code}/slips", data={"unit": "thon2", "count": "23"})
    html = sent.get_data(as_text=True)
    assert sent.status_code == 200 and WARNING in html
    sheets = html.split('<main class="sheet">')[1:]
    assert [sheet.count('class="slip"') for sheet in sheets] == [10, 10, 3]
    assert f'href="/manage/paper/{code}/slips?unit=thon2"' in html and "data-print" in html
    public_address(db, "https://khaosat.hatam.gov.vn")
    html = client.post(
        f"/manage/paper/{code}/slips", data={"unit": "thon2", "count": "1"}
    ).get_data(as_text=True)
    assert WARNING not in html and "https://khaosat.hatam.gov.vn/s/" in html
