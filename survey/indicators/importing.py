"""`flask indicators import`: annual figures from a CSV file, checked by the same rules as the
workspace form (survey.indicators.figures), the whole file or nothing."""

from dataclasses import dataclass

import sqlalchemy as sa

from survey.core.extensions import db
from survey.core.local_time import current_year
from survey.core.text_safety import strip_control
from survey.indicators.figures import (
    FIGURE_NAMES,
    VETOES,
    YEAR_MIN,
    check_note,
    check_relations,
    indicator_for,
    parse_figures,
    save_indicator,
    stored_values,
    valid_year,
)
from survey.models import Organization
from survey.responses.importing import ImportRejected, read_header, refuse_if_any

FIXED_COLUMNS = ("organization", "year")
IMPORT_COLUMNS = (*FIGURE_NAMES, *VETOES, "note")


@dataclass(frozen=True)
class IndicatorImport:
    """What an import did: rows created, rows updated, rows already as in the file."""

    created: int
    updated: int
    unchanged: int


def import_indicators(lines, source="import"):
    """Check every row of the CSV `lines`, then save them all; raise ImportRejected otherwise.

    Header: `organization,year,` then any of IMPORT_COLUMNS. Rates are percentages (0-100) as
    in the form; veto columns take 1 or 0; an empty cell leaves the stored value as it is.
    """
    reader, header = read_header(lines)
    _check_header(header)
    organizations = {o.code: o for o in db.session.scalars(sa.select(Organization))}
    errors, rows, seen = [], [], {}
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        problems, row = _check_row(header, cells, organizations)
        key = (row.get("organization"), row.get("year"))
        if not problems and key in seen:
            problems.append(
                f"organization {key[0].code!r}, year {key[1]}: already on line {seen[key]}"
            )
        if not problems:
            seen[key] = line_no
            rows.append(row)
        errors.extend(f"line {line_no}, {problem}" for problem in problems)
    refuse_if_any(errors)
    created = updated = unchanged = 0
    for row in rows:
        existed = indicator_for(row["organization"], row["year"]) is not None
        old, new = save_indicator(row["organization"], row["year"], row["changes"], source=source)
        if not old and not new:
            unchanged += 1
        elif existed:
            updated += 1
        else:
            created += 1
    return IndicatorImport(created=created, updated=updated, unchanged=unchanged)


def _check_header(header):
    if tuple(header[:2]) != FIXED_COLUMNS:
        raise ImportRejected(["line 1: the header must start with organization,year"])
    rest = header[2:]
    unknown = [c for c in rest if c not in IMPORT_COLUMNS]
    if unknown:
        raise ImportRejected(
            [
                f"line 1: column {unknown[0]!r} is not a figure; the columns are "
                + ",".join(IMPORT_COLUMNS)
            ]
        )
    twice = sorted({c for c in rest if rest.count(c) > 1})
    if twice:
        raise ImportRejected([f"line 1: column {twice[0]!r} appears twice"])


def _check_row(header, cells, organizations):
    """(problems, row) for one CSV row; each problem names its column."""
    if len(cells) != len(header):
        return [f"{len(cells)} values for {len(header)} columns"], {}
    given = dict(zip(header, (strip_control(c).strip() for c in cells), strict=True))
    problems = []
    org = organizations.get(given["organization"])
    if org is None:
        problems.append(f"column organization: no organization with code {given['organization']!r}")
    year = None
    try:
        year = int(given["year"])
    except ValueError:
        problems.append(f"column year: {given['year']!r} is not a year like 2025")
    else:
        if not valid_year(year):
            problems.append(f"column year: {year} is outside {YEAR_MIN}-{current_year() + 1}")
    texts = {name: text for name, text in given.items() if name in FIGURE_NAMES and text}
    values, errors = parse_figures(texts)
    for name in FIGURE_NAMES:
        if name in errors:
            problems.append(f"column {name}: {given[name]!r}: {errors[name]}")
    changes = dict(values)
    for name in VETOES:
        text = given.get(name, "")
        if text in ("1", "0"):
            changes[name] = text == "1"
        elif text:
            problems.append(f"column {name}: {text!r}: write 1 (yes) or 0 (no)")
    if given.get("note"):
        try:
            changes["note"] = check_note(given["note"])
        except ValueError as error:
            problems.append(f"column note: {error}")
    if org is not None and year is not None and valid_year(year):
        merged = stored_values(indicator_for(org, year)) | changes
        merged |= dict.fromkeys(errors)  # a figure already refused is not compared as well
        for name, message in check_relations(merged, name_of=lambda n: n).items():
            problems.append(f"column {name}: {message}")
    if problems:
        return problems, {}
    return problems, {"organization": org, "year": year, "changes": changes}
