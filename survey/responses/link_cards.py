"""Link previews: what Zalo, Facebook and Messenger show when an officer pastes the address of
a survey, its poster or the published replies.

Each such page carries Open Graph and Twitter-card tags (`LinkCard`, written by
templates/_link_card.html) naming a card image: a 1200×630 PNG drawn by `card_image`. The
image is computed once per change of what it shows: its words (`CardWords`: the title, the
commune, the organizations, the address) are hashed, and the PNG is kept under that digest in
the instance folder, where each worker of a host finds it; another host draws the same bytes
from the same words and fonts. The digest is also the image's ETag and part of its address
(`?v=`), so a crawler asks again exactly when the card changed.
"""

import hashlib
import json
import logging
import os
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

from flask import Response, current_app, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from survey.commune.settings import place_name, public_address_is_local, setting
from survey.core.extensions import db
from survey.core.i18n import select_locale
from survey.core.tenancy import current_commune_id
from survey.models import Commune
from survey.responses import card_image
from survey.responses.card_image import CardWords

log = logging.getLogger(__name__)

FOLDER = "link-cards"  # in the instance folder
DRAWING = "1"  # change when card_image draws the same words differently
LOCALES = {"vi": "vi_VN", "en": "en_US"}  # content language -> og:locale (others: vi_VN)
IMAGE_SECONDS = 3600  # how long a crawler may keep an image without asking again
DESCRIPTION_LENGTH = 200


@dataclass(frozen=True)
class LinkCard:
    """The tags of one page, absolute addresses all."""

    title: str
    description: str
    url: str
    image: str
    image_alt: str
    locale: str
    site_name: str
    width: int = card_image.WIDTH
    height: int = card_image.HEIGHT


def site_base():
    """PUBLIC_BASE_URL; while it names this machine itself (the default), the address the
    request came to, so that a crawler's link leads somewhere."""
    if public_address_is_local():
        return request.url_root.rstrip("/")
    return setting("PUBLIC_BASE_URL").rstrip("/")


def absolute(path, **params):
    """`path` (with its query) on the site's public address, `params` added (empty dropped)."""
    query = urlencode({k: v for k, v in params.items() if v})
    return site_base() + path + (("&" if "?" in path else "?") + query if query else "")


def card_language(survey, asked):
    """The language a survey's card is drawn in: `asked` when the survey has it, else its
    default (Vietnamese when it has it)."""
    if asked in survey.languages:
        return asked
    return "vi" if "vi" in survey.languages else survey.languages[0]


def survey_words(survey, lang):
    """What a survey's card shows, the chrome in `lang` when the interface has it."""
    chrome = lang if lang in current_app.config["LANGUAGES"] else None
    with force_locale(chrome or current_app.config["BABEL_DEFAULT_LOCALE"]):
        address = absolute(f"/s/{survey.code}")
        return CardWords(
            heading=_("Fatherland Front and mass organizations"),
            place=place_name(),
            title=survey.text("title", lang),
            organizations=" · ".join(org.name for org in survey.organizations),
            qr_url=address,
            scan=_("Scan to answer"),
            address=address.split("://", 1)[-1],
            footer=_("About five minutes · No one will know who answered"),
        )


def replies_words():
    """What the published replies' card shows, in the interface language."""
    address = absolute(url_for("replies.index"), xa=_commune_code())
    return CardWords(
        heading=_("Fatherland Front and mass organizations"),
        place=place_name(),
        title=_("People's feedback and replies"),
        organizations=_(
            "What people wrote in the surveys, and what the Fatherland Front and the mass "
            "organizations did about it."
        ),
        qr_url=address,
        scan=_("Scan to read"),
        address=address.split("://", 1)[-1],
        footer=_("Answers are anonymous: no name, phone number or address is stored with them."),
    )


def survey_card(survey, lang, page_path):
    """The tags of a survey's page (the form, its closed page, the poster) at `page_path`."""
    title = survey.text("title", lang)
    # Only a description in the page's language: else why the survey matters, in it.
    description = (survey.description or {}).get(lang) or _(
        "Your opinion decides how each organization is rated at the end of the year. It takes "
        "about five minutes, and no one will know who answered."
    )
    image = url_for("take.preview_image", code=survey.code, lang=lang)
    return LinkCard(
        title=title,
        description=_shortened(description),
        url=absolute(page_path),
        image=absolute(image, v=digest(survey_words(survey, lang))[:12]),
        image_alt=_("Card of the survey “%(title)s”, with its QR code", title=title),
        locale=LOCALES.get(lang, "vi_VN"),
        site_name=_site_name(),
    )


def replies_card():
    """The tags of the published replies page: a card of the commune's."""
    words = replies_words()
    commune = _commune_code()
    return LinkCard(
        title=f"{words.title} · {setting('COMMUNE_NAME')}".strip(" ·"),
        description=_shortened(words.organizations),
        url=absolute(url_for("replies.index"), xa=commune),
        image=absolute(
            url_for("replies.preview_image"), xa=commune, lang=select_locale(), v=digest(words)[:12]
        ),
        image_alt=words.title,
        locale=LOCALES.get(select_locale(), "vi_VN"),
        site_name=_site_name(),
    )


def digest(words):
    """The card's version: a digest of its words and of how it is drawn."""
    drawing = [DRAWING, os.path.exists(_fonts_folder() / card_image.BOLD)]
    text = json.dumps([drawing, asdict(words)], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def png_response(name, words, public=True):
    """The card as a PNG answer, drawn once per version and kept as `name`-<digest>.png;
    304 when the asker has this version (ETag). `public=False` for a draft's card."""
    version = digest(words)
    response = Response(mimetype="image/png")
    response.set_etag(version)
    if public:
        response.headers["Cache-Control"] = f"public, max-age={IMAGE_SECONDS}"
    else:
        response.headers["Cache-Control"] = "private, no-store"
    if request.if_none_match.contains(version):
        return response.make_conditional(request)
    response.set_data(_kept_png(name, words, version))
    return response.make_conditional(request)


def _kept_png(name, words, version):
    """The PNG of this version: read from the folder, else drawn and kept there (written
    whole, then renamed, so a worker never reads half a file); older versions removed."""
    folder = Path(current_app.instance_path) / FOLDER
    path = folder / f"{name}-{version}.png"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = card_image.draw_card(words, str(_fonts_folder()))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{uuid.uuid4().hex}.part"
        partial.write_bytes(data)
        os.replace(partial, path)
        for older in folder.glob(f"{name}-*.png"):
            if older != path:
                older.unlink(missing_ok=True)
    except OSError as error:  # a read-only instance folder: drawn again next time
        log.warning("link card %s not kept: %s", path.name, error)
    return data


def _fonts_folder():
    return Path(current_app.static_folder) / "fonts"


def _site_name():
    name = _("Hearing the people's voice")
    return f"{name} · {setting('COMMUNE_NAME')}".strip(" ·")


def _shortened(text):
    text = " ".join(text.split())
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    return text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _commune_code():
    """The code of the commune at hand (for ?xa=, which a crawler needs on a site with several
    communes), or None."""
    commune_id = current_commune_id()
    commune = db.session.get(Commune, commune_id) if commune_id else None
    return commune.code if commune else None
