"""The yearly report on carrying out the resolution (Nghị quyết, IV.2): each of its main targets
(II.2.2) and tasks (III.1–III.7) with what was done, the evidence (annual figures, survey
criteria with their intervals, the coordination programmes' tasks, the dialogues), whether it
was met, and the proposals for the next year.

Written as survey.reports.report_text blocks, the same numbers as the year's Evaluation JSON
(analytics.resolution_tasks judges the tasks on it); survey.reports.docx and .html lay it out.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from analytics import ResolutionTask, resolution_tasks
from survey.reports.report_text import (
    DASH,
    Bullets,
    Heading,
    Paragraph,
    Table,
    YearReport,
    as_interval,
    as_number,
    as_percent,
)
from survey.reports.resolution_data import ResolutionRecords
from survey.reports.year_data import YearData
from survey.reports.year_report import party_report


def _names(data, codes):
    names = {o["org"]: o["name"] for o in data.document["organizations"]}
    return ", ".join(names.get(code, code) for code in codes)


def _verdict(met):
    return {True: _("met"), False: _("not met"), None: _("not enough evidence")}[met]


def _judgement(data, item):
    """ "Met", or who falls short and who has no figures, in a sentence."""
    if item.met is True:
        return _("Assessment: met by every organization.")
    parts = []
    if item.missed:
        parts.append(_("not met by %(names)s", names=_names(data, item.missed)))
    if item.unknown:
        parts.append(_("no figures for %(names)s", names=_names(data, item.unknown)))
    return _("Assessment: %(verdict)s (%(who)s).", verdict=_verdict(item.met), who="; ".join(parts))


def _criterion_status(criterion):
    words = {
        "met": _("met"),
        "not_met": _("not met"),
        "insufficient": _("too few answers"),
        "missing": _("no figures yet"),
    }
    return words[criterion["status"]]


def _evidence_rows(data, criteria, conditions):
    rows = []
    for org in data.document["organizations"]:
        found = {c["code"]: c for c in org["criteria"]}
        for code in criteria:
            c = found.get(code)
            if c is None:
                continue
            rows.append(
                (
                    org["name"],
                    c["label"],
                    as_percent(c["value"]),
                    as_interval(c["ci"]),
                    as_percent(c["target"]),
                    _criterion_status(c),
                )
            )
        held = {c["code"]: c for c in org.get("conditions", ())}
        for code in conditions:
            c = held.get(code)
            if c is None:
                continue
            value = as_percent(c["value"]) if c["value"] is not None else DASH
            rows.append((org["name"], c["label"], value, DASH, "100%", _verdict(c["met"])))
    return tuple(rows)


def _evidence_table(data, criteria, conditions):
    return Table(
        (
            _("Organization"),
            _("Evidence"),
            _("Achieved"),
            _("Interval (%(level)s)", level=as_percent(data.rules.level)),
            _("Target"),
            _("Assessment"),
        ),
        _evidence_rows(data, criteria, conditions),
        numeric=(2, 3, 4),
        widths=(2.4, 3.2, 1.1, 1.5, 1.0, 1.3),
    )


def _target_blocks(data):
    blocks = [Heading(_("I. THE MAIN TARGETS (II.2.2)"))]
    for number, target in enumerate(data.targets, start=1):
        blocks.append(Heading(f"{number}. {target.label(data.lang)}", level=2))
        rows = []
        for org in data.document["organizations"]:
            if target.code == "tier":
                achieved = org["tier_label"]
            else:
                found = {c["code"]: c for c in org["criteria"]}
                achieved = as_percent(found.get(target.code, {}).get("value"))
            met = None if org["org"] in target.unknown else org["org"] not in target.missed
            rows.append((org["name"], achieved, _verdict(met)))
        blocks.append(
            Table(
                (_("Organization"), _("Achieved"), _("Assessment")),
                tuple(rows),
                widths=(4.0, 2.6, 1.6),
            )
        )
        blocks.append(Paragraph(_judgement(data, target), "italic"))
    return blocks


def _programme_blocks(records):
    if not records.programmes:
        return [Paragraph(_("No coordination programme was recorded for the year."))]
    programmes = records.programmes
    rows = tuple(
        (
            p.title,
            as_number(len(p.tasks) - p.cancelled, 0),
            as_number(p.done_on_time, 0),
            as_number(p.done_late, 0),
            as_number(p.overdue, 0),
            as_number(p.evidence, 0),
        )
        for p in programmes
    )
    return [
        Paragraph(
            _(
                "What was done: %(programmes)s coordination programmes with %(tasks)s tasks; "
                "%(on_time)s done on time, %(late)s done late, %(not_done)s not done by their "
                "due date.",
                programmes=len(programmes),
                tasks=sum(len(p.tasks) - p.cancelled for p in programmes),
                on_time=sum(p.done_on_time for p in programmes),
                late=sum(p.done_late for p in programmes),
                not_done=sum(p.overdue for p in programmes),
            )
        ),
        Table(
            (
                _("Programme"),
                _("Tasks"),
                _("On time"),
                _("Late"),
                _("Not done"),
                _("Evidence files"),
            ),
            rows,
            numeric=(1, 2, 3, 4, 5),
            widths=(4.2, 1.0, 1.1, 1.0, 1.1, 1.2),
        ),
    ]


def _dialogue_blocks(records):
    if not records.dialogues:
        return [Paragraph(_("No dialogue or voter contact was recorded for the year."))]
    counts = [c for _name, c in records.dialogues]
    rows = tuple(
        (
            name,
            f"{c.held}/{c.planned}",
            as_number(c.issues, 0),
            as_number(c.answered, 0),
            as_number(c.made_tasks, 0),
            as_number(c.tasks_done_on_time, 0),
        )
        for name, c in records.dialogues
    )
    return [
        Paragraph(
            _(
                "What was done: %(held)s dialogues and voter contacts held of %(planned)s "
                "planned; people raised %(issues)s issues, %(answered)s answered on the spot, "
                "%(tasks)s made tasks.",
                held=sum(c.held for c in counts),
                planned=sum(c.planned for c in counts),
                issues=sum(c.issues for c in counts),
                answered=sum(c.answered for c in counts),
                tasks=sum(c.made_tasks for c in counts),
            )
        ),
        Table(
            (
                _("Organization"),
                _("Held / planned"),
                _("Issues raised"),
                _("Answered on the spot"),
                _("Made tasks"),
                _("Of them done on time"),
            ),
            rows,
            numeric=(1, 2, 3, 4, 5),
            widths=(3.0, 1.2, 1.1, 1.3, 1.1, 1.3),
        ),
    ]


def _heads_blocks(data):
    rows = []
    for org in data.document["organizations"]:
        for head in org.get("heads") or ():
            decided = head["tier_label"] if head["decided"] else _("not decided yet")
            rows.append(
                (org["name"], f"{head['position']} {head['name']}", org["tier_label"], decided)
            )
    if not rows:
        return [Paragraph(_("No head or deputy was recorded for the year's rating."))]
    return [
        Table(
            (
                _("Organization"),
                _("Head or deputy"),
                _("The organization's rating"),
                _("Their rating"),
            ),
            tuple(rows),
            widths=(2.8, 2.8, 2.2, 2.2),
        )
    ]


def _task_blocks(data, records, tasks):
    blocks = [Heading(_("II. THE TASKS AND SOLUTIONS (III.1–III.7)"))]
    for item in tasks:
        blocks.append(
            Heading(
                _("Task %(number)s: %(label)s", number=item.number, label=item.label(data.lang)),
                level=2,
            )
        )
        if item.number == 5:
            blocks.extend(_dialogue_blocks(records))
        elif item.number == 6:
            blocks.extend(_programme_blocks(records))
        elif item.number == 7:
            blocks.extend(_heads_blocks(data))
        if item.criteria or item.conditions:
            blocks.append(_evidence_table(data, item.criteria, item.conditions))
        blocks.append(Paragraph(_judgement(data, item), "italic"))
    return blocks


def _proposals(data, records, tasks):
    items = []
    for target in data.targets:
        if target.met is False:
            items.append(
                _(
                    "Reach the target “%(target)s”: %(names)s.",
                    target=target.label(data.lang),
                    names=_names(data, target.missed),
                )
            )
    for item in tasks:
        if item.met is False:
            items.append(
                _(
                    "Remedy task %(number)s (%(label)s): %(names)s.",
                    number=item.number,
                    label=item.label(data.lang),
                    names=_names(data, item.missed),
                )
            )
    for task in records.open_tasks:
        items.append(
            _(
                "Finish “%(title)s” (%(organization)s, %(owner)s), due %(due)s.",
                title=task.title,
                organization=task.organization,
                owner=task.owner,
                due=task.due_on.strftime("%d/%m/%Y"),
            )
        )
    for org in data.document["organizations"]:
        remedies = (org.get("self_assessment") or {}).get("remedies", "").strip()
        if remedies:
            items.append(f"{org['name']}: {remedies}")
    return items or [_("Keep up the results reached in the year.")]


def resolution_report(data: YearData, records: ResolutionRecords) -> YearReport:
    """The report on carrying out the resolution in `data.year`, in `data.lang`."""
    with force_locale(data.lang):
        tasks: tuple[ResolutionTask, ...] = resolution_tasks(data.document)
        body = [
            Paragraph(
                _(
                    "Carrying out the Party Committee's resolution on renewing the content and "
                    "methods of the Fatherland Front and the socio-political organizations (part "
                    "IV.2), the Standing Committee reports on %(year)s. The evidence comes from "
                    "the organizations' annual figures, the surveys of citizens and members, and "
                    "the records of coordination programmes, tasks and dialogues.",
                    year=data.year,
                )
            ),
            *_target_blocks(data),
            *_task_blocks(data, records, tasks),
            Heading(_("III. PROPOSALS FOR %(year)s", year=data.year + 1)),
            Bullets(tuple(_proposals(data, records, tasks))),
        ]
        subtitle = _(
            "Results of carrying out the resolution on renewing the content and methods of "
            "the Fatherland Front and the socio-political organizations in %(year)s",
            year=data.year,
        )
        return party_report(data, subtitle, body)
