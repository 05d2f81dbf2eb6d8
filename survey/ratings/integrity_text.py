"""The integrity checks in words, for the pages, the year report and its workbook: each check's
name, and for the paper checks a plain sentence saying what was found and who typed it."""

from flask import current_app
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "speeder": _l("answered in under a third of the usual time"),
    "straight_liner": _l("the same answer to every rating question"),
    "burst": _l("many answers in ten minutes from one village"),
    "duplicate": _l("identical answers"),
    "paper_share": _l("paper sheets beyond their share of the survey"),
    "paper_fast": _l("paper sheets typed faster than a person types"),
}


def kind_label(kind: str) -> str:
    """The name of an integrity check, in the current language."""
    return str(KIND_LABELS.get(kind, kind))


def flag_detail(flag: dict) -> str:
    """What a paper check found, as a sentence ("" for the other checks, whose name says it).
    `flag` is one row of analytics.report.integrity_summary."""
    if flag["kind"] == "paper_share":
        return _(
            "Paper sheets are %(share)s of this survey's responses, more than the %(limit)s "
            "the commune set: all %(n)s of its paper sheets are flagged, since which of them "
            "are too many cannot be told.",
            share=format_percent(flag.get("share") or 0, "#,##0.#%"),
            limit=format_percent(current_app.config["PAPER_SHARE_FLAG"], "#,##0.#%"),
            n=flag["responses"],
        )
    if flag["kind"] == "paper_fast":
        typists = "; ".join(
            _("%(name)s: %(n)s sheets", name=name, n=n) for name, n in flag.get("typists") or ()
        )
        return _(
            "%(n)s paper sheets were typed faster than one every %(seconds)s seconds, quicker "
            "than a person reads and types a sheet. Typed that fast by: %(typists)s.",
            n=flag["responses"],
            seconds=current_app.config["PAPER_MIN_SECONDS_PER_SHEET"],
            typists=typists or _("not recorded"),
        )
    return ""


def flag_text(flag: dict) -> str:
    """The check's name, and what it found when there is more to say."""
    detail = flag_detail(flag)
    return f"{kind_label(flag['kind'])}: {detail}" if detail else kind_label(flag["kind"])
