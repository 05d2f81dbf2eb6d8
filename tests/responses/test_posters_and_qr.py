"""QR codes and posters: what a village poster encodes must open the survey."""

import io

import pytest
import zxingcpp
from PIL import Image

from tests.factories import make_defined_survey, make_unit


def decode_png(data):
    """The text of the one QR code in a PNG image."""
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))
    assert len(results) == 1
    return results[0].text


@pytest.fixture
def survey(db):
    make_unit(db, code="thon2", name="Thôn 2")
    return make_defined_survey(db)


def test_png_qr_code_encodes_the_public_address_with_the_village(client, survey):
    response = client.get(f"/s/{survey.code}/qr.png?u=thon2")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert decode_png(response.data) == f"http://survey.test/s/{survey.code}?u=thon2"


def test_svg_qr_code(client, survey):
    response = client.get(f"/s/{survey.code}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).lstrip().startswith("<svg")


def test_unknown_village_is_left_out_of_the_code(client, survey):
    response = client.get(f"/s/{survey.code}/qr.png?u=nowhere")
    assert decode_png(response.data) == f"http://survey.test/s/{survey.code}"


def test_poster_is_vietnamese_with_title_address_and_qr(client, survey):
    page = client.get(f"/s/{survey.code}/poster?u=thon2").get_data(as_text=True)
    assert survey.title["vi"] in page
    assert "Thôn 2" in page
    assert f"http://survey.test/s/{survey.code}?u=thon2" in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert "không ai biết ai đã trả lời" in page
    assert "http://survey.test/feedback" in page


def test_draft_has_no_public_qr_or_poster(client, db):
    draft = make_defined_survey(db, status="draft")
    assert client.get(f"/s/{draft.code}/qr.png").status_code == 404
    assert client.get(f"/s/{draft.code}/poster").status_code == 404


def test_unknown_kind_is_404(client, survey):
    assert client.get(f"/s/{survey.code}/qr.gif").status_code == 404
