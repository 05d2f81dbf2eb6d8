"""The year-end report's writing: its sentences, tables and method blocks, as plain data.

`year_report(data)` turns the YearData that survey.reports.year_data gathered into a
YearReport: the header block, the title, the body as headings, paragraphs, bullets and tables
of text, and the closing. The DOCX (survey.reports.docx) and the print-ready HTML
(survey.reports.html) lay it out without adding a word, so they hold the same text. The report
is an administrative document of the Party Committee: its language is Vietnamese unless asked.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from survey.feedback.inbox import topic_label
from survey.reports.report_method import method_blocks
from survey.reports.report_programmes import programme_blocks
from survey.reports.report_text import (
    DASH,
    Bullets,
    Heading,
    Paragraph,
    Table,
    YearReport,
    as_date,
    as_interval,
    as_number,
    as_percent,
)
from survey.reports.year_data import YearData


def bare_commune(name):
    name = name.strip()
    return name[3:].strip() if name.lower().startswith("xã ") else name


def place_date(data):
    """The place and date line of the report's header, as the administrative style writes it."""
    day = data.today
    # Administrative style: a leading zero on days under 10 and on January and February.
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return _(
        "%(place)s, %(day)s/%(month)s/%(year)s",
        place=bare_commune(data.commune_name),
        day=f"{day.day:02d}",
        month=month,
        year=day.year,
    )


def _status(criterion):
    words = {
        "met": _("met"),
        "not_met": _("not met"),
        "insufficient": _("too few answers"),
        "missing": _("no figures yet"),
    }
    text = words[criterion["status"]]
    if criterion.get("exceeded"):
        text = _("exceeded")
    if criterion.get("sensitive"):
        text += " (" + _("to review") + ")"
    return text


def _criteria_table(org, level):
    rows = []
    for c in org["criteria"]:
        label = c["label"] + (" (" + _("key target") + ")" if c.get("key") else "")
        sample = DASH
        if c["n"] is not None:
            sample = as_number(c["n"], 0)
            if c["n_eff"] is not None and c["source"] == "survey":
                sample += f" ({as_number(c['n_eff'])})"
        rows.append(
            (
                label,
                as_percent(c["value"]),
                as_interval(c["ci"]),
                sample,
                as_percent(c["target"]),
                f"{as_number(c['points'])}/{as_number(c['weight'])}",
                _status(c),
            )
        )
    return Table(
        (
            _("Criterion"),
            _("Achieved"),
            _("Interval (%(level)s)", level=as_percent(level)),
            _("Answers (effective)"),
            _("Target"),
            _("Points / weight"),
            _("Assessment"),
        ),
        tuple(rows),
        numeric=(1, 2, 3, 4, 5),
        widths=(3.4, 1.2, 1.6, 1.3, 1.1, 1.2, 1.4),
    )


def _strengths(org):
    """Criteria above their target one by one (with the figures), then those just met."""
    found = [
        _(
            "%(criterion)s: %(value)s, above the target of %(target)s.",
            criterion=c["label"],
            value=as_percent(c["value"]),
            target=as_percent(c["target"]),
        )
        for c in org["criteria"]
        if c["status"] == "met" and c.get("exceeded")
    ]
    met = [c["label"] for c in org["criteria"] if c["status"] == "met" and not c.get("exceeded")]
    if met:
        found.append(_("Targets met: %(criteria)s.", criteria="; ".join(met)))
    return tuple(found) or (_("No criterion reached its target."),)


def _limitations(org, rules):
    found = []
    for c in org["criteria"]:
        if c["status"] == "missing":
            found.append(_("%(criterion)s: figures not entered.", criterion=c["label"]))
        elif c["status"] == "not_met":
            if c["value"] is None:
                found.append(_("%(criterion)s: figures not entered.", criterion=c["label"]))
            else:
                found.append(
                    _(
                        "%(criterion)s: %(value)s against a target of %(target)s.",
                        criterion=c["label"],
                        value=as_percent(c["value"]),
                        target=as_percent(c["target"]),
                    )
                )
        elif c["status"] == "insufficient":
            if c["source"] == "tasks":
                found.append(
                    _(
                        "%(criterion)s: no task was due, so it was not counted.",
                        criterion=c["label"],
                    )
                )
            elif not c["n_eff"]:
                found.append(
                    _(
                        "%(criterion)s: no answers this year, so it was not counted.",
                        criterion=c["label"],
                    )
                )
            else:
                found.append(
                    _(
                        "%(criterion)s: too few answers to count (effective sample %(n_eff)s, "
                        "at least %(needed)s needed).",
                        criterion=c["label"],
                        n_eff=as_number(c["n_eff"]),
                        needed=as_number(rules.min_n_eff),
                    )
                )
        if c.get("sensitive"):
            found.append(
                _(
                    "%(criterion)s changes with or without the flagged responses: to review.",
                    criterion=c["label"],
                )
            )
    return tuple(found) or (_("Every criterion reached its target."),)


def _standing(org):
    lines = [
        _(
            "Score: %(score)s of 100. Rating: %(tier)s.",
            score=as_number(org["score"]),
            tier=org["tier_label"],
        )
        if org.get("rated", True)
        else org["tier_label"] + "."
    ]
    adjustment = org.get("adjustment")
    if adjustment and adjustment["from"] != adjustment["to"]:
        lines.append(
            _(
                "Computed tier: %(computed)s; the Standing Committee decided: %(decided)s. "
                "Reason: %(reason)s",
                computed=adjustment["from_label"],
                decided=adjustment["to_label"],
                reason=adjustment["reason"],
            )
        )
    for head in org.get("heads") or ():
        lines.append(
            _(
                "%(position)s %(name)s: %(tier)s.",
                position=head["position"],
                name=head["name"],
                tier=head["tier_label"] if head["decided"] else _("not decided yet"),
            )
            + (" " + _("Reason: %(reason)s", reason=head["reason"]) if head["reason"] else "")
        )
    if org.get("finalized") and org.get("finalized_at"):
        lines.append(
            _(
                "This rating was finalized by the Standing Committee on %(date)s.",
                date=as_date(org["finalized_at"]),
            )
        )
    if org.get("changed_since_finalization"):
        lines.append(
            _(
                "The data changed after finalization: the report shows the finalized rating; "
                "today's data would give another result."
            )
        )
    if org.get("borderline"):
        lines.append(_("Borderline: within the surveys' margin of error the tier could differ."))
    return lines


def _feedback_blocks(data, org):
    topics = data.feedback_topics.get(org["org"], ())
    total = sum(n for _topic, n in topics)
    if not total:
        return [Paragraph(_("No feedback was received in %(year)s.", year=data.year))]
    blocks = [
        Paragraph(
            _(
                "Feedback received in %(year)s: %(count)s items; by theme:",
                year=data.year,
                count=as_number(total, 0),
            )
        ),
        Table(
            (_("Theme"), _("Feedback items"), _("Share")),
            tuple(
                (str(topic_label(topic)), as_number(n, 0), as_percent(n / total))
                for topic, n in topics
            ),
            numeric=(1, 2),
            widths=(4.0, 1.5, 1.5),
        ),
    ]
    answered = next((c for c in org["criteria"] if c["code"] == "feedback_answered"), None)
    if answered is not None and answered["value"] is not None:
        blocks.append(
            Paragraph(
                _(
                    "Answered within %(days)s days: %(share)s.",
                    days=data.rules.answer_within_days,
                    share=as_percent(answered["value"]),
                )
            )
        )
    return blocks


def _names(data, codes):
    names = {o["org"]: o["name"] for o in data.document["organizations"]}
    return ", ".join(names.get(code, code) for code in codes)


def _target_rows(data):
    rows = []
    for target in data.targets:
        if target.met is True:
            verdict, who = _("met"), ""
        elif target.met is False:
            verdict = _("not met")
            who = _("Not met: %(names)s", names=_names(data, target.missed))
            if target.unknown:
                who += "; " + _("no figures: %(names)s", names=_names(data, target.unknown))
        else:
            verdict = _("no figures")
            who = _("No figures: %(names)s", names=_names(data, target.unknown))
        rows.append((target.label(data.lang), verdict, who))
    return tuple(rows)


def _summary_blocks(data):
    document = data.document
    rows = []
    for position, org in enumerate(document["organizations"], start=1):
        marks = []
        if org.get("finalized"):
            marks.append(_("finalized"))
        if org.get("changed_since_finalization"):
            marks.append(_("changed since finalization"))
        if org.get("borderline"):
            marks.append(_("borderline"))
        if org.get("capped"):
            marks.append(_("capped"))
        if any(c.get("sensitive") for c in org["criteria"]):
            marks.append(_("to review"))
        rows.append(
            (
                str(position),
                org["name"],
                as_number(org["score"]),
                org["tier_label"],
                "; ".join(marks),
            )
        )
    counts: dict[str, int] = {}
    labels = {}
    for org in document["organizations"]:
        counts[org["tier"]] = counts.get(org["tier"], 0) + 1
        labels[org["tier"]] = org["tier_label"]
    order = ("xuat_sac", "tot", "hoan_thanh", "khong_hoan_thanh", "chua_du_can_cu")
    tally = "; ".join(
        _("%(tier)s: %(count)s", tier=labels[tier], count=counts[tier])
        for tier in order
        if tier in counts
    )
    return [
        Heading(_("I. OVERALL RESULT")),
        Paragraph(
            _(
                "%(count)s organizations were rated for %(year)s under the rule set "
                '"%(ruleset)s" (100 points), from their annual figures, the surveys of '
                "citizens and members, and the feedback they received.",
                count=len(document["organizations"]),
                year=data.year,
                ruleset=data.rules.title or document["ruleset"],
            )
        ),
        Table(
            (_("No."), _("Organization"), _("Score"), _("Rating"), _("Remarks")),
            tuple(rows),
            numeric=(0, 2),
            widths=(0.6, 3.6, 1.0, 2.8, 2.2),
        ),
        Paragraph(tally + "."),
    ]


def _organization_blocks(data):
    blocks = [Heading(_("II. RESULTS OF EACH ORGANIZATION"))]
    for position, org in enumerate(data.document["organizations"], start=1):
        blocks.append(Heading(f"{position}. {org['name']}", level=2))
        blocks.extend(
            Paragraph(line, "bold" if i == 0 else "italic") for i, line in enumerate(_standing(org))
        )
        blocks.append(Heading(_("a) Criteria"), level=3))
        blocks.append(_criteria_table(org, data.rules.level))
        blocks.append(Heading(_("b) The rating and why"), level=3))
        blocks.append(Bullets(tuple(org["notes"]) or (org["tier_label"] + ".",)))
        blocks.append(Heading(_("c) Strengths"), level=3))
        blocks.append(Bullets(_strengths(org)))
        blocks.append(Heading(_("d) Limitations"), level=3))
        blocks.append(Bullets(_limitations(org, data.rules)))
        blocks.append(Heading(_("e) What citizens and members raised"), level=3))
        blocks.extend(_feedback_blocks(data, org))
        blocks.extend(_self_assessment_blocks(org))
    return blocks


def _self_assessment_blocks(org):
    """The organization's own review of its year and the review's comments, when written."""
    mine, review = org.get("self_assessment"), org.get("review")
    if not mine and not review:
        return []
    blocks = [Heading(_("f) Its self-assessment and the review"), level=3)]
    if mine:
        parts = (
            (_("Strengths and results"), mine["strengths"]),
            (_("Limitations and shortcomings"), mine["limitations"]),
            (_("Their causes"), mine["causes"]),
            (_("How they will be remedied"), mine["remedies"]),
            (_("Tier it proposes"), mine.get("proposed_tier_label") or DASH),
        )
        blocks.append(Bullets(tuple(f"{label}: {text or DASH}" for label, text in parts)))
    if review:
        blocks.append(Paragraph(_("Review: %(text)s", text=review["text"]), "italic"))
    return blocks


def _target_blocks(data):
    met = sum(1 for t in data.targets if t.met is True)
    return [
        Heading(_("III. THE RESOLUTION'S TARGETS")),
        Paragraph(
            _(
                "%(met)s of the resolution's %(total)s targets were met by every organization.",
                met=met,
                total=len(data.targets),
            )
        ),
        Table(
            (_("Resolution target"), _("Result"), _("Organizations short of it")),
            _target_rows(data),
            widths=(5.0, 1.2, 3.0),
        ),
    ]


def _commendation_blocks(data):
    """The list of commendations (Nghị quyết, IV.2), when there is one."""
    if not data.commendations:
        return []
    state = (
        _("The list was confirmed by its proposers.")
        if data.commendations_confirmed
        else _("The list is proposed and not yet confirmed.")
    )
    return [
        Heading(_("IV. PROPOSED COMMENDATIONS")),
        Paragraph(state),
        Table(
            (_("Who is commended"), _("Ground"), _("Achievements and evidence")),
            tuple((who, ground, note or DASH) for who, ground, note in data.commendations),
            widths=(3.0, 2.5, 4.0),
        ),
    ]


def issuer_lines(data) -> tuple[str, ...]:
    """The issuing body on the left of the header: the superior organization, the committee."""
    issuer = []
    superior = data.district_name.strip() or data.province_name.strip()
    if superior:
        issuer.append(_("PARTY ORGANIZATION OF %(superior)s", superior=superior.upper()))
    issuer.append(
        _("PARTY COMMITTEE OF %(commune)s COMMUNE", commune=bare_commune(data.commune_name).upper())
    )
    return tuple(issuer)


def year_report(data: YearData) -> YearReport:
    """The report's text and tables for the gathered `data`, in its language."""
    with force_locale(data.lang):
        body = (
            _summary_blocks(data)
            + _organization_blocks(data)
            + _target_blocks(data)
            + _commendation_blocks(data)
            + programme_blocks(data, "V" if data.commendations else "IV")
            + method_blocks(data)
        )
        subtitle = _(
            "Results of the surveys, evaluation and rating of the quality of the work of "
            "the Fatherland Front and the socio-political organizations in %(year)s",
            year=data.year,
        )
        return party_report(data, subtitle, body)


def party_report(data, subtitle: str, body) -> YearReport:
    """A report of the Party Committee on `data.year`: the header block, the title, `body`,
    the recipients and the Standing Committee's signature, in the current locale."""
    return YearReport(
        year=data.year,
        lang=data.lang,
        issuer=issuer_lines(data),
        document_number=_("No. %(number)s", number="\u00a0" * 8 + "-BC/ĐU"),
        party=_("COMMUNIST PARTY OF VIETNAM"),
        place_date=place_date(data),
        title=_("REPORT"),
        subtitle=subtitle,
        body=tuple(body),
        recipients=(
            _("Recipients:"),
            _("- The Standing Committee of the Party Committee,"),
            _("- The Fatherland Front and the socio-political organizations of the commune,"),
            _("- Filed at the Party Committee Office."),
        ),
        signature=(_("ON BEHALF OF THE STANDING COMMITTEE"),),
    )
