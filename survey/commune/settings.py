"""The commune's settings: its name, district, province, public address and suppression threshold.

Their defaults are in the app's configuration; a value saved by the Party Committee Office in the
Setting table overrides the default everywhere, through `setting(key)`. Each worker reads the
table at most every SURVEY_CACHE_SECONDS, so every worker sees a change within that time.
"""

import ipaddress
import time
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from survey.audit import trail
from survey.core.extensions import db
from survey.core.tenancy import current_commune_id
from survey.models import Commune, Province, Setting

# The settings an administrator may change, in the order the form shows them.
SETTING_KEYS = (
    "COMMUNE_NAME",
    "DISTRICT_NAME",
    "PROVINCE_NAME",
    "PUBLIC_BASE_URL",
    "SUPPRESSION_K",
)

# Per commune (None: none chosen): (checked at, {key: default from the commune's own row},
# {key: saved value}).
_OVERRIDES: dict = {}


def setting(key):
    """The value in force for `key`: the saved setting, else the commune's own (its name and
    province), else the configuration's default."""
    if key not in SETTING_KEYS:
        raise KeyError(f"{key} is not a commune setting")
    defaults, overrides = _read()
    if key in overrides:
        return overrides[key]
    return defaults[key] if key in defaults else current_app.config[key]


def default_of(key):
    """What `key` is without a saved setting."""
    defaults, _saved = _read()
    return defaults[key] if key in defaults else current_app.config[key]


def settings_in_force():
    """Every commune setting and the value in force, as a dict."""
    return {key: setting(key) for key in SETTING_KEYS}


def settings_stamp():
    """A value that changes whenever a saved setting changes (for caches of rendered pages)."""
    return tuple(sorted((k, repr(setting(k))) for k in SETTING_KEYS))


def place_name():
    """The commune, district and province as one line ("xã Hà Tam, huyện ..., tỉnh ...")."""
    parts = (setting("COMMUNE_NAME"), setting("DISTRICT_NAME"), setting("PROVINCE_NAME"))
    return ", ".join(part for part in parts if part)


def public_address_is_local(base=None):
    """Whether PUBLIC_BASE_URL (or `base`) still names this machine itself (localhost, a
    loopback or unspecified address): a QR code made from it leads nowhere on a citizen's phone.

    >>> public_address_is_local("http://127.0.0.1:5000"), public_address_is_local("http://[::1]")
    (True, True)
    >>> public_address_is_local("https://khaosat.hatam.gov.vn")
    False
    >>> public_address_is_local("http://192.168.1.20:8000")  # the office's network: reachable
    False
    """
    address = base if base is not None else setting("PUBLIC_BASE_URL")
    host = (urlsplit(address).hostname or "").lower().rstrip(".")
    if host in ("", "localhost") or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def init_app(app):
    """Give templates `commune_setting(key)`, `commune_place()` and
    `public_address_is_local()`, from the values in force."""

    @app.context_processor
    def _commune():
        return {
            "commune_setting": setting,
            "commune_place": place_name,
            "public_address_is_local": public_address_is_local,
        }


def forget_cached():
    """Drop the cached settings, so the next `setting()` reads the table."""
    _OVERRIDES.clear()


def _read():
    commune_id = current_commune_id()
    kept = _OVERRIDES.get(commune_id)
    if kept and time.monotonic() - kept[0] < current_app.config["SURVEY_CACHE_SECONDS"]:
        return kept[1], kept[2]
    checked_at = time.monotonic()
    try:
        rows = db.session.execute(
            sa.select(Setting.key, Setting.value).where(Setting.key.in_(SETTING_KEYS))
        ).all()
        own = None
        if commune_id == 0:  # no commune's page (a province officer, or before choosing)
            provinces = db.session.scalars(sa.select(Province.name).limit(2)).all()
            own = (provinces[0] if len(provinces) == 1 else "", None)
        elif commune_id is not None:
            own = db.session.execute(
                sa.select(Commune.name, Province.name)
                .outerjoin(Province, Province.id == Commune.province_id)
                .where(Commune.id == commune_id)
            ).first()
    except SQLAlchemyError:
        # Every page shows the commune's name, error pages too: when the database cannot
        # answer, the last values read (or the configuration) still let the page be shown.
        db.session.rollback()
        return (kept[1], kept[2]) if kept else ({}, {})
    defaults = {}
    if own is not None:
        defaults["COMMUNE_NAME"] = own[0]
        if own[1]:
            defaults["PROVINCE_NAME"] = own[1]
    found = {key: value for key, value in rows}
    _OVERRIDES[commune_id] = (checked_at, defaults, found)
    return defaults, found


def public_base_url_problem(url):
    """Why `url` cannot be the public address (an English reason key), or None when it can.

    >>> public_base_url_problem("https://khaosat.hatam.gov.vn")
    >>> public_base_url_problem("ftp://x.vn")
    'scheme'
    >>> public_base_url_problem("https://x.vn/?a=1")
    'query'
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "host"
    if parts.scheme not in ("http", "https"):
        return "scheme"
    if not parts.hostname or any(c.isspace() for c in url):
        return "host"
    if parts.query or parts.fragment or url.rstrip().endswith(("?", "#")):
        return "query"
    return None


def save_settings(values):
    """Save changed settings (a value equal to the configured default removes the override).

    Records one `setting.update` audit entry with the values before and after; returns the
    keys that changed.
    """
    before = settings_in_force()
    changed = [key for key in SETTING_KEYS if key in values and values[key] != before[key]]
    for key in changed:
        value = values[key]
        row = db.session.scalar(sa.select(Setting).where(Setting.key == key))
        if value == default_of(key):
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(Setting(key=key, value=value))
        else:
            row.value = value
    if changed:
        after = {**before, **{key: values[key] for key in changed}}
        trail.record("setting.update", "commune", before=before, after=after)
    forget_cached()
    return changed
