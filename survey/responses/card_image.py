"""The link preview image: a 1200×630 PNG card with a survey's title, its commune and
organizations, and the QR code of its address, drawn with Pillow.

The words come ready (translated, in the card's language); this module only lays them out.
The fonts are DejaVu Sans, shipped in static/fonts/ (with their licence): they cover
Vietnamese, and the same files on every host draw the same card. Without them (a copy of the
app that lost its static files) Pillow's own font draws it, so the card still comes.
"""

import io
import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from survey.responses import qr

WIDTH, HEIGHT = 1200, 630
MARGIN = 56
BAND_HEIGHT = 118
QR_BOX = 330  # the QR code's square, right of the words
TEXT_WIDTH = WIDTH - 2 * MARGIN - QR_BOX - 48
BAND = (165, 15, 21)  # the site's red band (static/css/site.css --band)
INK = (26, 26, 26)
MUTED = (74, 74, 74)
SOFT = (244, 241, 234)
TITLE_SIZES = (64, 58, 52, 46, 40, 36)  # the largest that fits TITLE_LINES wins
TITLE_LINES = 4
TITLE_TOP, TITLE_HEIGHT = BAND_HEIGHT + 32, 300
ADDRESS_TOP = HEIGHT - 64 - 58  # the address, above the footer
ACCENT = (11, 83, 148)  # the site's links (--accent)
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"


@dataclass(frozen=True)
class CardWords:
    """Everything a card shows; two cards with equal words are the same image."""

    heading: str  # the band's first line ("Fatherland Front and mass organizations")
    place: str  # the band's second line: the commune
    title: str
    organizations: str  # one line, "" for none
    qr_url: str  # what the QR code opens
    scan: str  # under the QR code
    address: str  # the short address, at the foot of the words
    footer: str


def draw_card(words, fonts_folder):
    """The card as PNG bytes; `fonts_folder` holds the DejaVu fonts (or not)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = _Fonts(fonts_folder)
    _draw_band(draw, words, font)
    _draw_words(draw, words, font)
    _draw_qr(image, draw, words, font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _draw_band(draw, words, font):
    """The red band with the heading and the commune above, the footer's strip below."""
    width = WIDTH - 2 * MARGIN
    draw.rectangle((0, 0, WIDTH, BAND_HEIGHT), fill=BAND)
    heading, place = font(26), font(34, True)
    draw.text((MARGIN, 22), _fit(draw, words.heading, heading, width), font=heading, fill="white")
    draw.text((MARGIN, 60), _fit(draw, words.place, place, width), font=place, fill="white")
    draw.rectangle((0, HEIGHT - 64, WIDTH, HEIGHT), fill=SOFT)
    footer = font(24)
    draw.text((MARGIN, HEIGHT - 47), _fit(draw, words.footer, footer, width), font=footer, fill=INK)


def _draw_words(draw, words, font):
    """The title, the organizations under it while there is room, the address at the foot."""
    y = _draw_title(draw, words.title, font)
    small = font(28)
    for line in _wrap(draw, words.organizations, small, TEXT_WIDTH, 2):
        if y + 12 + 34 > ADDRESS_TOP - 8:
            break
        draw.text((MARGIN, y + 12), line, font=small, fill=MUTED)
        y += 12 + 34
    address = font(28, True)
    shown = _fit(draw, words.address, address, TEXT_WIDTH)
    draw.text((MARGIN, ADDRESS_TOP), shown, font=address, fill=ACCENT)


def _draw_title(draw, title, font):
    """The title, bold, in the largest size whose lines fit its place (at most TITLE_LINES,
    the last cut with "…" in the smallest size); returns the y below it."""
    title = unicodedata.normalize("NFC", " ".join(title.split()))
    for size in TITLE_SIZES:
        lines = _wrap(draw, title, font(size, True), TEXT_WIDTH, None)
        if len(lines) <= TITLE_LINES and len(lines) * round(size * 1.22) <= TITLE_HEIGHT:
            break
    else:
        lines = _wrap(draw, title, font(size, True), TEXT_WIDTH, TITLE_LINES)
    y = TITLE_TOP
    for line in lines:
        draw.text((MARGIN, y), line, font=font(size, True), fill=INK)
        y += round(size * 1.22)
    return y


def _draw_qr(image, draw, words, font):
    """The QR code in its square on the right, the words to scan it under it."""
    left, top = WIDTH - MARGIN - QR_BOX, BAND_HEIGHT + 20
    code = Image.open(io.BytesIO(qr.qr_png(words.qr_url, scale=1))).convert("RGB")
    scale = max(1, QR_BOX // code.width)
    code = code.resize((code.width * scale, code.height * scale), Image.Resampling.NEAREST)
    offset = (QR_BOX - code.width) // 2
    image.paste(code, (left + offset, top + offset))
    caption = font(26)
    shown = _fit(draw, words.scan, caption, QR_BOX + 20)
    x = left + (QR_BOX - draw.textlength(shown, font=caption)) / 2
    draw.text((x, top + QR_BOX + 2), shown, font=caption, fill=INK)


def _wrap(draw, text, font, width, most):
    """`text` in lines no wider than `width` (a word too long is cut); at most `most` lines,
    the last ending in "…" when some was left out (None: as many as needed)."""
    lines, line = [], ""
    for word in unicodedata.normalize("NFC", text).split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word if draw.textlength(word, font=font) <= width else _fit(draw, word, font, width)
    if line:
        lines.append(line)
    if most is not None and len(lines) > most:
        lines = lines[: most - 1] + [_fit(draw, lines[most - 1] + " …", font, width, force=True)]
    return lines


def _fit(draw, text, font, width, force=False):
    """`text` cut to `width` with "…" (always ending in one with `force`)."""
    text = unicodedata.normalize("NFC", text)
    if not force and draw.textlength(text, font=font) <= width:
        return text
    text = text.removesuffix(" …")
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


class _Fonts:
    """font(size, bold) from the folder, else Pillow's own at that size."""

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, size, bold=False):
        return _font(os.path.join(self.folder, BOLD if bold else REGULAR), size)


@lru_cache(maxsize=64)
def _font(path, size):
    if os.path.exists(path):
        # The basic layout draws the same on every host (raqm, when present, could differ).
        return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)
    return ImageFont.load_default(size)
