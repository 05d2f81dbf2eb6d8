"""Annual indicators: the administrative figures each organization reports for a year.

One set of rules serves the workspace form and `flask indicators import`: counts are whole
numbers, 0 or more; rates are typed as percentages (0-100, decimal comma or dot) and stored as
fractions 0..1; and a few figures cannot exceed the figure they are part of:

- new members <= members at the end of the year (they are counted in it);
- members in campaigns <= members at the end of the year (at the start when the end is unknown);
- recommendations answered <= recommendations issued;
- shortcomings remedied <= shortcomings identified.

Activities held, supervisions done and dialogues held may exceed what was required or planned:
the resolution asks for extra (đột xuất) supervision and contact beyond the plan, and an
organization may meet more often than its charter requires. New members may exceed their target
and attendance its target.

Who changes what: figures and the note by the admin and the organization's own officer; the two
veto flags by the admin and the committee (the Standing Committee records them), and nothing
else by the committee. Every save adds an `indicator.update` audit entry with the changed fields.
"""

from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey.audit.trail import record
from survey.core.extensions import db
from survey.core.local_time import current_year
from survey.models import INDICATOR_RATES, AnnualIndicator, AuditLog, Survey, User

AUDIT_ACTION = "indicator.update"
YEAR_MIN = 2000
MAX_NOTE = 2000
# Far above any commune's membership; keeps typing slips out of the integer columns.
MAX_COUNT = 1_000_000


@dataclass(frozen=True)
class Figure:
    """One figure of the annual form: its column, kind (`count` or `rate`), label and hint."""

    name: str
    kind: str
    label: str
    hint: str


# The form's sections, in the order of the resolution's targets (II.2.2).
SECTIONS = (
    (
        _l("Member development"),
        (
            Figure(
                "members_start",
                "count",
                _l("Members at the start of the year"),
                _l("Members on 1 January."),
            ),
            Figure(
                "members_end",
                "count",
                _l("Members at the end of the year"),
                _l("Members on 31 December, after new members joined and others left."),
            ),
            Figure(
                "new_members",
                "count",
                _l("New members admitted in the year"),
                _l("Counted in the members at the end of the year."),
            ),
            Figure(
                "new_members_target",
                "count",
                _l("Member development target for the year"),
                _l("The number of new members the organization was assigned."),
            ),
        ),
    ),
    (
        _l("Periodic meetings and attendance"),
        (
            Figure(
                "activities_required",
                "count",
                _l("Periodic meetings the charter requires"),
                _l("Meetings the charter and working rules require in the year."),
            ),
            Figure(
                "activities_held",
                "count",
                _l("Periodic meetings held"),
                _l("May be more than required."),
            ),
            Figure(
                "attendance_rate",
                "rate",
                _l("Members attending meetings (%)"),
                _l("Average share of members at each meeting, 0 to 100, e.g. 72,5."),
            ),
            Figure(
                "attendance_target",
                "rate",
                _l("Attendance target (%)"),
                _l("The share the organization was assigned, 0 to 100."),
            ),
        ),
    ),
    (
        _l("Campaigns and emulation movements"),
        (
            Figure(
                "campaign_members",
                "count",
                _l("Members taking part in campaigns and emulation movements"),
                _l("The resolution's target: at least half of the members."),
            ),
        ),
    ),
    (
        _l("Social supervision and criticism"),
        (
            Figure(
                "supervision_planned",
                "count",
                _l("Supervisions planned"),
                _l("Supervisions in the year's plan."),
            ),
            Figure(
                "supervision_done",
                "count",
                _l("Supervisions carried out"),
                _l("Planned and extra ones; may be more than planned."),
            ),
            Figure(
                "recommendations_issued",
                "count",
                _l("Recommendations made after supervision and criticism"),
                _l("Recommendations sent to the Party Committee or the commune authorities."),
            ),
            Figure(
                "recommendations_answered",
                "count",
                _l("Recommendations answered or resolved"),
                _l("At most the recommendations made."),
            ),
            Figure(
                "dialogues_planned",
                "count",
                _l("Voter contacts and dialogues planned"),
                _l("Meetings with voters and dialogues in the year's plan."),
            ),
            Figure(
                "dialogues_held",
                "count",
                _l("Voter contacts and dialogues held"),
                _l("May be more than planned."),
            ),
            Figure(
                "shortcomings_identified",
                "count",
                _l("Shortcomings and weaknesses pointed out"),
                _l("Pointed out by the organization's review or by supervision."),
            ),
            Figure(
                "shortcomings_remedied",
                "count",
                _l("Shortcomings and weaknesses remedied"),
                _l("At most the shortcomings pointed out."),
            ),
        ),
    ),
    (
        _l("Discipline"),
        (
            Figure(
                "members_disciplined",
                "count",
                _l("Officers and members disciplined in the year"),
                _l("Write 0 when no one was. Regulation 366: an excellent rating needs none."),
            ),
        ),
    ),
)
FIGURES = tuple(figure for _title, figures in SECTIONS for figure in figures)
FIGURE_NAMES = tuple(figure.name for figure in FIGURES)
VETOES = ("veto_discipline", "veto_disunity")
VETO_LABELS = {
    "veto_discipline": _l("A breach of discipline in the organization this year"),
    "veto_disunity": _l("Internal disunity in the organization this year"),
}
OFFICER_FIELDS = (*FIGURE_NAMES, "note")
ALL_FIELDS = (*OFFICER_FIELDS, *VETOES)
LABELS = {f.name: f.label for f in FIGURES} | VETO_LABELS | {"note": _l("Notes")}

# (part, whole): the part cannot exceed the whole.
WITHIN = (
    ("new_members", "members_end"),
    ("recommendations_answered", "recommendations_issued"),
    ("shortcomings_remedied", "shortcomings_identified"),
)


def valid_year(year):
    """Whether figures may be kept for `year`: from 2000 to next year."""
    return YEAR_MIN <= year <= current_year() + 1


def editable_fields(user, organization):
    """The fields `user` may change on `organization`'s figures (empty: reads only)."""
    fields = []
    if user.role == "admin" or (
        user.role == "org_officer" and user.organization_id == organization.id
    ):
        fields.extend(OFFICER_FIELDS)
    if user.role in ("admin", "committee"):
        fields.extend(VETOES)
    return tuple(fields)


# --- typed text <-> stored values ----------------------------------------------------------


def parse_count(text):
    """A whole number of 0 or more from typed text, or raise ValueError with the reason."""
    cleaned = text.strip().replace(" ", "")
    if cleaned.isascii() and cleaned.isdigit():
        if int(cleaned) > MAX_COUNT:
            raise ValueError(_("This number is too large; check it."))
        return int(cleaned)
    body = cleaned.removeprefix("-")
    if body.isascii() and body.replace(".", "").replace(",", "").isdigit():
        if cleaned.startswith("-"):
            raise ValueError(_("Cannot be below 0."))
        raise ValueError(_("Write a whole number without dots or commas, e.g. 1200."))
    raise ValueError(_("Write a whole number, e.g. 0, 12 or 1200."))


def parse_percent(text):
    """A percentage 0-100 (comma or dot decimals, optional %) as a fraction 0..1."""
    cleaned = text.strip().removesuffix("%").strip().replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(_("Write a percentage from 0 to 100, e.g. 72,5.")) from None
    if not 0 <= value <= 100:  # also refuses nan and inf
        raise ValueError(_("A percentage is from 0 to 100."))
    return round(value / 100, 6)


def percent_text(fraction):
    """A stored fraction as the percentage typed in the form: 0.725 -> "72,5"."""
    text = f"{fraction * 100:.4f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def display_value(name, value):
    """A stored value as text for the form, the list and the history."""
    if value is None:
        return ""
    if name in INDICATOR_RATES:
        return percent_text(value)
    if name in VETOES:
        return _("yes") if value else _("no")
    return str(value)


def form_values(indicator):
    """The stored figures as the texts the form shows (empty when not entered)."""
    values = stored_values(indicator)
    texts = {name: display_value(name, values[name]) for name in FIGURE_NAMES}
    texts["note"] = values["note"]
    texts.update({name: values[name] for name in VETOES})
    return texts


def stored_values(indicator):
    """Every field of `indicator` (or the empty values for a year without figures)."""
    if indicator is None:
        return {name: None for name in FIGURE_NAMES} | {"note": ""} | dict.fromkeys(VETOES, False)
    return {name: getattr(indicator, name) for name in ALL_FIELDS}


# --- checking ------------------------------------------------------------------------------


def parse_figures(texts):
    """Parse typed figures ({name: text}, empty text = not known); returns (values, errors)."""
    values, errors = {}, {}
    for figure in FIGURES:
        if figure.name not in texts:
            continue
        text = (texts[figure.name] or "").strip()
        if not text:
            values[figure.name] = None
            continue
        try:
            parse = parse_count if figure.kind == "count" else parse_percent
            values[figure.name] = parse(text)
        except ValueError as error:
            errors[figure.name] = str(error)
    return values, errors


def check_relations(values, name_of):
    """Errors for parts larger than their whole: {field: message}. `name_of` names a field."""
    errors = {}
    members = "members_end" if values.get("members_end") is not None else "members_start"
    pairs = [*WITHIN, ("campaign_members", members)]
    for part, whole in pairs:
        if values.get(part) is None or values.get(whole) is None:
            continue
        if values[part] > values[whole]:
            errors[part] = _(
                "%(value)s is more than %(other)s (%(limit)s). Check both figures.",
                value=values[part],
                other=name_of(whole),
                limit=values[whole],
            )
    return errors


def check_note(text):
    """The note, stripped; raise ValueError when it is too long."""
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise ValueError(_("Keep the note under %(n)s characters.", n=MAX_NOTE))
    return text


def label_of(name):
    """The form's label of a field, in the current language."""
    return f"“{LABELS[name]}”"


# --- reading -------------------------------------------------------------------------------


def indicator_for(organization, year):
    """The figures of `organization` for `year`, or None."""
    return db.session.scalar(
        sa.select(AnnualIndicator).where(
            AnnualIndicator.organization_id == organization.id, AnnualIndicator.year == year
        )
    )


def overview_years():
    """The years to list: those with surveys or figures, and the current year, newest first."""
    years = set(db.session.scalars(sa.select(Survey.year).distinct()))
    years |= set(db.session.scalars(sa.select(AnnualIndicator.year).distinct()))
    years.add(current_year())
    return sorted(years, reverse=True)


@dataclass(frozen=True)
class OverviewCell:
    """One organization and year in the list: what is entered, by whom, when."""

    year: int
    entered: int
    total: int
    updated_by: str | None
    updated_at: datetime | None
    vetoed: bool

    @property
    def exists(self):
        """Whether anything was saved for this year."""
        return self.updated_at is not None


def overview(organizations, years):
    """{organization id: [OverviewCell per year]} for the list page."""
    ids = [org.id for org in organizations]
    rows = db.session.execute(
        sa.select(AnnualIndicator, User)
        .outerjoin(User, User.id == AnnualIndicator.updated_by_id)
        .where(AnnualIndicator.organization_id.in_(ids), AnnualIndicator.year.in_(years))
    ).all()
    found = {(ind.organization_id, ind.year): (ind, user) for ind, user in rows}
    table = {}
    for org in organizations:
        cells = []
        for year in years:
            ind, user = found.get((org.id, year), (None, None))
            cells.append(
                OverviewCell(
                    year=year,
                    entered=sum(getattr(ind, n) is not None for n in FIGURE_NAMES) if ind else 0,
                    total=len(FIGURE_NAMES),
                    updated_by=(user.full_name or user.username) if user else None,
                    updated_at=ind.updated_at if ind else None,
                    vetoed=bool(ind and (ind.veto_discipline or ind.veto_disunity)),
                )
            )
        table[org.id] = cells
    return table


def audit_target(organization, year):
    """The audit log's name for one organization's figures of one year."""
    return f"{organization.code}/{year}"


@dataclass(frozen=True)
class HistoryEntry:
    """One save of the figures: when, by whom, and each changed field (label, before, after)."""

    at: datetime
    by: str
    changes: list


def history(organization, year):
    """The saves of these figures from the audit log, newest first."""
    entries = db.session.execute(
        sa.select(AuditLog, User.full_name)
        .outerjoin(User, User.id == AuditLog.user_id)
        .where(
            AuditLog.action == AUDIT_ACTION,
            AuditLog.target == audit_target(organization, year),
        )
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    ).all()
    result = []
    for entry, full_name in entries:
        before = entry.details.get("before", {})
        after = entry.details.get("after", {})
        changes = [
            (
                LABELS[name],
                _history_value(name, before.get(name)),
                _history_value(name, after[name]),
            )
            for name in ALL_FIELDS
            if name in after
        ]
        result.append(HistoryEntry(at=entry.at, by=full_name or entry.username, changes=changes))
    return result


def _history_value(name, value):
    text = display_value(name, value)
    return f"{text} %" if text and name in INDICATOR_RATES else text


# --- saving --------------------------------------------------------------------------------


def save_indicator(organization, year, changes, user=None, **details):
    """Apply `changes` ({field: stored value}) to the figures and audit them; no commit.

    Returns the changed fields as (before, after); nothing is written when nothing changed.
    """
    indicator = indicator_for(organization, year)
    before = stored_values(indicator)
    after = before | changes
    changed = {k for k in ALL_FIELDS if before[k] != after[k]}
    if not changed:
        return {}, {}
    if indicator is None:
        indicator = AnnualIndicator(organization=organization, year=year)
        db.session.add(indicator)
    for name in changed:
        setattr(indicator, name, after[name])
    indicator.updated_by_id = user.id if user is not None else None
    indicator.updated_at = datetime.now(timezone.utc)
    old = {k: before[k] for k in ALL_FIELDS if k in changed}
    new = {k: after[k] for k in ALL_FIELDS if k in changed}
    record(
        AUDIT_ACTION,
        audit_target(organization, year),
        before=old,
        after=new,
        user=user,
        organization=organization.code,
        year=year,
        **details,
    )
    db.session.flush()
    return old, new
