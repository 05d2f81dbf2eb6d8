"""The commune's directory: its villages and its organizations, in the commune's order, as the
Party Committee Office creates and changes them (audited)."""

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from survey.audit import trail
from survey.core.codes import code_from_text
from survey.core.extensions import db
from survey.models import Organization, Unit


class CommuneRefused(ValueError):
    """A change the commune's data cannot take; `field` names the form field to blame."""

    def __init__(self, field, reason):
        super().__init__(reason)
        self.field = field
        self.reason = reason


UNIT_FIELDS = ("code", "name", "adult_population", "households", "position")
ORGANIZATION_FIELDS = (
    "code",
    "name",
    "short_name",
    "position",
    "members_count",
    "is_front",
    "leads_commendations",
)


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
    kept = {
        flag: getattr(organization, flag) if organization is not None else False
        for flag in ("is_front", "leads_commendations")
    }
    return _save(Organization, organization, kept | values, ORGANIZATION_FIELDS, "organization")


def _save(model, row, values, fields, noun):
    if not values.get("code"):  # kept, or made from the name the office typed
        values = dict(values, code=row.code if row is not None else _new_code(model, values))
    taken = db.session.scalar(
        sa.select(model.id).where(model.code == values["code"], model.id != (row.id if row else -1))
    )
    if taken is not None:
        raise CommuneRefused("code", "taken")
    before = {field: getattr(row, field) for field in fields} if row is not None else {}
    creating = row is None
    try:
        # Changed inside the savepoint, so that a refusal undoes this change only.
        with db.session.begin_nested():
            if creating:
                row = model()
                db.session.add(row)
            for field in fields:
                setattr(row, field, values[field])
    except IntegrityError:  # the same code saved by someone else a moment ago
        raise CommuneRefused("code", "taken") from None
    after = {field: getattr(row, field) for field in fields}
    action = f"{noun}.create" if creating else f"{noun}.update"
    trail.record(action, f"{noun}:{row.code}", before=before, after=after)
    return row


def _new_code(model, values):
    """A code for a new village or organization, from its short name or its name."""
    taken = set(db.session.scalars(sa.select(model.code)))
    name = values.get("short_name") or values.get("name") or ""
    return code_from_text(name, taken, fallback=model.__tablename__)
