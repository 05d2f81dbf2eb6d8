"""QR codes for posters and slips: the full public URL, error correction M or better."""

import base64
import io
from urllib.parse import urlencode

import segno

from survey.commune.settings import setting


def public_url(path, **params):
    """The address people reach from outside: PUBLIC_BASE_URL + path + query (empty dropped).

    PUBLIC_BASE_URL is the commune setting when one is saved, else the configuration's.
    """
    base = setting("PUBLIC_BASE_URL").rstrip("/")
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{base}{path}" + (f"?{query}" if query else "")


def survey_url(survey_code, unit_code=None, invitation=None):
    """The form's address, for one village (`u`) and, on a slip, its invitation code (`k`)."""
    return public_url(f"/s/{survey_code}", u=unit_code, k=invitation)


def qr_svg(url, scale=8):
    """The QR code of `url` as an SVG document (text)."""
    buffer = io.BytesIO()
    _make(url).save(buffer, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True)
    return buffer.getvalue().decode("utf-8")


def qr_png(url, scale=8):
    """The QR code of `url` as PNG bytes."""
    buffer = io.BytesIO()
    _make(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def _make(url):
    # M recovers from 15% damage: enough for a poster with a fold or a stain; segno raises the
    # level further when the size allows it (boost_error).
    return segno.make_qr(url, error="m", boost_error=True)


def qr_data_uri(url):
    """The SVG QR code as a data: URI, for an <img> in a page or a printable file."""
    encoded = base64.b64encode(qr_svg(url).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
