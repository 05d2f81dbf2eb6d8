"""The commune itself: its villages, its organizations and its settings.

Settings (commune name, district, province, public address, suppression threshold) have their
defaults in the app's configuration; a value saved by the Party Committee Office in the Setting
table overrides the default everywhere, through `setting(key)`. Each worker reads the table at
most every SURVEY_CACHE_SECONDS, so every worker sees a change within that time.
"""

import time
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from survey import audit
from survey.extensions import db
from survey.models import Organization, Setting, Unit

# The settings an administrator may change, in the order the form shows them.
SETTING_KEYS = (
    "COMMUNE_NAME",
    "DISTRICT_NAME",
    "PROVINCE_NAME",
    "PUBLIC_BASE_URL",
    "SUPPRESSION_K",
)

_OVERRIDES = []  # [checked at, {key: value}]


class CommuneRefused(ValueError):
    """A change the commune's data cannot take; `field` names the form field to blame."""

    def __init__(self, field, reason):
        super().__init__(reason)
        self.field = field
        self.reason = reason


# --- settings --------------------------------------------------------------------------------


def setting(key):
    """The value in force for `key`: the saved setting, else the configuration's default."""
    if key not in SETTING_KEYS:
        raise KeyError(f"{key} is not a commune setting")
    overrides = _overrides()
    return overrides[key] if key in overrides else current_app.config[key]


def settings_in_force():
    """Every commune setting and the value in force, as a dict."""
    return {key: setting(key) for key in SETTING_KEYS}


def settings_stamp():
    """A value that changes whenever a saved setting changes (for caches of rendered pages)."""
    return tuple(sorted((k, repr(v)) for k, v in _overrides().items()))


def place_name():
    """The commune, district and province as one line ("xã Hà Tam, huyện ..., tỉnh ...")."""
    parts = (setting("COMMUNE_NAME"), setting("DISTRICT_NAME"), setting("PROVINCE_NAME"))
    return ", ".join(part for part in parts if part)


def init_app(app):
    """Give templates `commune_setting(key)` and `commune_place()`, the values in force."""

    @app.context_processor
    def _commune():
        return {"commune_setting": setting, "commune_place": place_name}


def forget_cached():
    """Drop the cached settings, so the next `setting()` reads the table."""
    _OVERRIDES.clear()


def _overrides():
    if _OVERRIDES and time.monotonic() - _OVERRIDES[0] < current_app.config["SURVEY_CACHE_SECONDS"]:
        return _OVERRIDES[1]
    checked_at = time.monotonic()
    try:
        rows = db.session.execute(
            sa.select(Setting.key, Setting.value).where(Setting.key.in_(SETTING_KEYS))
        ).all()
    except SQLAlchemyError:
        # Every page shows the commune's name, error pages too: when the database cannot
        # answer, the last values read (or the configuration) still let the page be shown.
        db.session.rollback()
        return _OVERRIDES[1] if _OVERRIDES else {}
    found = {key: value for key, value in rows}
    _OVERRIDES[:] = [checked_at, found]
    return found


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
        row = db.session.get(Setting, key)
        if value == current_app.config[key]:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(Setting(key=key, value=value))
        else:
            row.value = value
    if changed:
        after = {**before, **{key: values[key] for key in changed}}
        audit.record("setting.update", "commune", before=before, after=after)
    forget_cached()
    return changed


# --- villages --------------------------------------------------------------------------------

UNIT_FIELDS = ("code", "name", "adult_population", "households", "position")
ORGANIZATION_FIELDS = ("code", "name", "short_name", "position", "members_count")


def villages():
    """Every village in the commune's order."""
    return db.session.scalars(sa.select(Unit).order_by(Unit.position, Unit.name)).all()


def village_by_code(code):
    """The village with this code, or None."""
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def save_village(unit, values):
    """Create (`unit` None) or change a village from `values`; audited; returns the village.

    Raises CommuneRefused("code", "taken") when another village has the code.
    """
    return _save(Unit, unit, values, UNIT_FIELDS, "unit")


# --- organizations ---------------------------------------------------------------------------


def organizations():
    """Every organization in the commune's order."""
    return db.session.scalars(
        sa.select(Organization).order_by(Organization.position, Organization.name)
    ).all()


def organization_by_code(code):
    """The organization with this code, or None."""
    return db.session.scalar(sa.select(Organization).where(Organization.code == code))


def save_organization(organization, values):
    """Create (`organization` None) or change an organization; audited; returns it.

    Raises CommuneRefused("code", "taken") when another organization has the code.
    """
    return _save(Organization, organization, values, ORGANIZATION_FIELDS, "organization")


def _save(model, row, values, fields, noun):
    taken = db.session.scalar(
        sa.select(model.id).where(model.code == values["code"], model.id != (row.id if row else -1))
    )
    if taken is not None:
        raise CommuneRefused("code", "taken")
    before = {field: getattr(row, field) for field in fields} if row is not None else {}
    creating = row is None
    if creating:
        row = model()
        db.session.add(row)
    for field in fields:
        setattr(row, field, values[field])
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same code saved by someone else a moment ago
        raise CommuneRefused("code", "taken") from None
    after = {field: getattr(row, field) for field in fields}
    action = f"{noun}.create" if creating else f"{noun}.update"
    audit.record(action, f"{noun}:{row.code}", before=before, after=after)
    return row
