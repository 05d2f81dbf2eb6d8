"""Link previews: the Open Graph and Twitter-card tags of the public survey pages, the poster and
the published replies, and the card image they name (1200×630 PNG, kept per version)."""

import io
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from survey.commune.tenants import create_commune
from survey.core.tenancy import across_communes, commune_scope
from survey.responses import card_image, link_cards
from tests.factories import make_defined_survey, make_organization, make_unit, save_setting

TAGS = (
    "og:type",
    "og:site_name",
    "og:title",
    "og:description",
    "og:url",
    "og:locale",
    "og:image",
    "og:image:width",
    "og:image:height",
    "twitter:card",
    "twitter:title",
    "twitter:image",
)


class _Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = {}
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "head":
            self.in_head = True
        if tag == "meta" and self.in_head and (attrs.get("property") or attrs.get("name")):
            self.tags[attrs.get("property") or attrs.get("name")] = attrs.get("content")

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False


def card_tags(response):
    """The page's card tags (in its <head> only): {property or name: content}."""
    assert response.status_code == 200, response.status_code
    parser = _Meta()
    parser.feed(response.get_data(as_text=True))
    assert set(TAGS) <= set(parser.tags), set(TAGS) - set(parser.tags)
    return parser.tags


def opened(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.fixture
def survey(db):
    save_setting(db, "COMMUNE_NAME", "xã Thử Nghiệm")
    make_unit(db, code="thon2", name="Thôn 2")
    org = make_organization(db, name="Hội Nông dân")
    return make_defined_survey(
        db,
        org=org,
        title={"vi": "Đánh giá sự hài lòng của người dân năm 2025", "en": "Satisfaction 2025"},
        description={"vi": "Ý kiến của bà con giúp các đoàn thể làm tốt hơn."},
    )


def test_the_form_carries_a_card_with_absolute_addresses(client, survey):
    tags = card_tags(client.get(f"/s/{survey.code}?u=thon2"))
    assert tags["og:type"] == "website"
    assert tags["og:title"] == tags["twitter:title"] == survey.title["vi"]
    assert tags["og:description"] == "Ý kiến của bà con giúp các đoàn thể làm tốt hơn."
    assert tags["og:url"] == f"http://survey.test/s/{survey.code}?u=thon2"
    assert tags["og:image"].startswith(f"http://survey.test/s/{survey.code}/preview.png?lang=vi&v=")
    assert tags["twitter:image"] == tags["og:image"]
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:locale"] == "vi_VN"
    assert "xã Thử Nghiệm" in tags["og:site_name"]
    assert tags["twitter:card"] == "summary_large_image"


def test_the_card_follows_the_page_language(client, survey):
    tags = card_tags(client.get(f"/s/{survey.code}?lang=en"))
    assert tags["og:title"] == "Satisfaction 2025"
    assert tags["og:locale"] == "en_US"
    assert "&" not in tags["og:url"] and "lang=en" in tags["og:image"]
    # No description in English: the card says why the survey matters, in English.
    assert tags["og:description"].startswith("Your opinion decides")


@pytest.mark.parametrize(
    "change",
    [
        {"status": "closed"},
        {"opens_at": datetime.now(timezone.utc) + timedelta(days=3)},
    ],
    ids=["closed", "not-yet-open"],
)
def test_closed_and_not_yet_open_pages_carry_the_card(client, db, survey, change):
    for field, value in change.items():
        setattr(survey, field, value)
    db.session.commit()
    tags = card_tags(client.get(f"/s/{survey.code}"))
    assert tags["og:url"] == f"http://survey.test/s/{survey.code}"
    assert tags["og:title"] == survey.title["vi"]
    assert client.get(tags["og:image"]).status_code == 200


def test_the_poster_carries_the_surveys_card(client, survey):
    tags = card_tags(client.get(f"/s/{survey.code}/poster?u=thon2"))
    assert tags["og:url"] == f"http://survey.test/s/{survey.code}/poster?u=thon2"
    assert tags["og:image"].startswith(f"http://survey.test/s/{survey.code}/preview.png?")
    assert tags["og:title"] == survey.title["vi"]


def test_the_published_replies_carry_the_communes_card(client, survey):
    tags = card_tags(client.get("/feedback"))
    assert tags["og:url"].startswith("http://survey.test/feedback")
    assert tags["og:image"].startswith("http://survey.test/feedback/preview.png?")
    assert "xã Thử Nghiệm" in tags["og:title"] and "xã Thử Nghiệm" in tags["og:site_name"]
    response = client.get(tags["og:image"])
    assert response.mimetype == "image/png" and opened(response.data).size == (1200, 630)
    assert decoded(response.data).startswith("http://survey.test/feedback")


def decoded(data):
    results = zxingcpp.read_barcodes(opened(data))
    assert len(results) == 1
    return results[0].text


def test_the_image_is_a_1200_by_630_png_with_the_surveys_qr_code(client, survey):
    response = client.get(f"/s/{survey.code}/preview.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = opened(response.data)
    assert image.format == "PNG" and image.size == (1200, 630)
    assert decoded(response.data) == f"http://survey.test/s/{survey.code}"
    assert "public" in response.headers["Cache-Control"] and response.headers["ETag"]


def test_a_drafts_image_is_404_for_the_public(client, db):
    draft = make_defined_survey(db, status="draft")
    assert client.get(f"/s/{draft.code}/preview.png").status_code == 404
    assert client.get("/s/no-such-survey/preview.png").status_code == 404


def test_the_image_is_drawn_once_per_version(client, db, survey, app, monkeypatch):
    first = client.get(f"/s/{survey.code}/preview.png")
    folder = Path(app.instance_path) / link_cards.FOLDER
    assert len(list(folder.glob(f"s{survey.id}-vi-*.png"))) == 1

    def no_drawing(*args):
        raise AssertionError("drawn again")

    monkeypatch.setattr(card_image, "draw_card", no_drawing)
    again = client.get(f"/s/{survey.code}/preview.png")
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    unchanged = client.get(
        f"/s/{survey.code}/preview.png", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert unchanged.status_code == 304 and not unchanged.data
    monkeypatch.undo()

    survey.title = {"vi": "Khảo sát mới về đường làng, ngõ xóm", "en": "New"}
    db.session.commit()
    changed = client.get(f"/s/{survey.code}/preview.png")
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert changed.data != first.data and opened(changed.data).size == (1200, 630)
    # The earlier version is not kept.
    version = changed.headers["ETag"].strip('"')
    kept = [p.name for p in folder.glob(f"s{survey.id}-vi-*.png")]
    assert kept == [f"s{survey.id}-vi-{version}.png"]
    # And the page names the new version.
    tags = card_tags(client.get(f"/s/{survey.code}"))
    assert f"v={version[:12]}" in tags["og:image"]


def test_while_the_public_address_is_this_machine_the_card_names_the_requests(make_app, db):
    app = make_app(PUBLIC_BASE_URL="http://127.0.0.1:5000")
    with app.app_context():
        survey = make_defined_survey(db)
        client = app.test_client()
        tags = card_tags(client.get(f"/s/{survey.code}", base_url="https://khaosat.example.vn"))
        assert tags["og:url"] == f"https://khaosat.example.vn/s/{survey.code}"
        assert tags["og:image"].startswith(f"https://khaosat.example.vn/s/{survey.code}/preview")
        # The shared first-visit page is kept per address asked: another name, other tags.
        other = card_tags(client.get(f"/s/{survey.code}", base_url="http://10.0.0.5"))
        assert other["og:url"] == f"http://10.0.0.5/s/{survey.code}"


def test_without_its_fonts_the_card_is_still_drawn(tmp_path):
    words = card_image.CardWords(
        heading="Mặt trận Tổ quốc và các đoàn thể",
        place="xã Hà Tam",
        title="Khảo sát mức độ hài lòng của Nhân dân " * 6,
        organizations="Hội Nông dân · Hội Liên hiệp Phụ nữ",
        qr_url="http://survey.test/s/x",
        scan="Quét mã để trả lời",
        address="survey.test/s/x",
        footer="Chỉ mất khoảng năm phút",
    )
    bundled = card_image.draw_card(words, "static/fonts")
    fallback = card_image.draw_card(words, str(tmp_path))  # no font there: Pillow's own
    for data in (bundled, fallback):
        assert opened(data).size == (1200, 630) and decoded(data) == "http://survey.test/s/x"
    assert bundled != fallback


@pytest.fixture
def two_communes(db):
    """Alpha and Beta, each with a survey and its own name."""
    with across_communes():
        alpha = create_commune("alpha", "xã Alpha", province="Gia Lai")
        beta = create_commune("beta", "xã Beta", province="Gia Lai")
        db.session.commit()
    codes = {}
    for commune in (alpha, beta):
        with commune_scope(commune.id):
            org = make_organization(db, code="nongdan", name=f"Hội Nông dân {commune.name}")
            codes[commune.code] = make_defined_survey(db, code=f"{commune.code}-2025", org=org).code
    return codes


def test_a_surveys_card_is_its_own_communes_whatever_was_chosen(client, two_communes, monkeypatch):
    drawn = []
    real = card_image.draw_card
    monkeypatch.setattr(
        card_image, "draw_card", lambda words, fonts: drawn.append(words) or real(words, fonts)
    )
    client.get("/?xa=alpha")  # the visitor chose Alpha
    tags = card_tags(client.get("/s/beta-2025"))
    assert "xã Beta" in tags["og:site_name"] and "Alpha" not in str(tags)
    assert client.get("/s/beta-2025/preview.png").status_code == 200
    assert drawn[-1].place.startswith("xã Beta") and "Beta" in drawn[-1].organizations
    # The replies' card names the commune chosen, and its address says which.
    replies = card_tags(client.get("/feedback"))
    assert "xã Alpha" in replies["og:site_name"] and "xa=alpha" in replies["og:url"]
    fresh = client.application.test_client()  # a crawler: no choice kept
    assert fresh.get(replies["og:image"]).status_code == 200
    assert drawn[-1].place.startswith("xã Alpha") and "xa=alpha" in drawn[-1].qr_url
