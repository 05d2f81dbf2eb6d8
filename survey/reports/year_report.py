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
from survey.models.vocabulary import AUDIENCE_NAMES
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
from survey.reports.year_data import SUPPRESSED, YearData, integrity_rows


def _bare_commune(name):
    name = name.strip()
    return name[3:].strip() if name.lower().startswith("xã ") else name


def _place_date(data):
    day = data.today
    # Administrative style: a leading zero on days under 10 and on January and February.
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return _(
        "%(place)s, %(day)s/%(month)s/%(year)s",
        place=_bare_commune(data.commune_name),
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
            if not c["n_eff"]:
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


def _surveys_method_blocks(data):
    """1. The year's surveys and the responses each received, or that none was held."""
    blocks = [Heading(_("1. Surveys and sample sizes"), level=2)]
    if not data.surveys:
        blocks.append(
            Paragraph(
                _(
                    "No survey of %(year)s was held; the survey criteria could not be counted.",
                    year=data.year,
                )
            )
        )
        return blocks
    blocks.append(
        Paragraph(
            _(
                "The surveys of %(year)s (drafts left out) and the responses each received:",
                year=data.year,
            )
        )
    )
    blocks.append(
        Table(
            (_("Survey"), _("Who answers"), _("Responses")),
            tuple(
                (
                    s.title,
                    str(AUDIENCE_NAMES.get(s.audience, s.audience)),
                    as_number(s.results["n"], 0),
                )
                for s in data.surveys
            ),
            numeric=(2,),
            widths=(6.2, 2.0, 1.2),
        )
    )
    return blocks


def _interval_method_blocks(rules):
    """2. What a survey criterion is and the intervals given with it."""
    return [
        Heading(_("2. Intervals"), level=2),
        Paragraph(
            _(
                "A survey criterion is the share of answers of 4 or 5 (satisfied) on the "
                "five-point scale. Each share is given with its Wilson score interval at "
                "%(level)s confidence, and each mean of ratings with a Student t interval. "
                "The share of feedback answered in time has a Wilson interval too.",
                level=as_percent(rules.level),
            )
        ),
    ]


def _weighting_method_blocks(rules):
    """3. The weighting by village, the effective sample and what too few answers do."""
    return [
        Heading(_("3. Weighting by village"), level=2),
        Paragraph(
            _(
                "Villages did not answer in proportion to their size, so survey criteria are "
                "post-stratified by the villages' adult population: each answer is weighted by "
                "its village's share of the population divided by its share of the answers. "
                "The effective sample size, n_eff = (Σw)² / Σw², is the number of unweighted "
                "answers the weighted sample is worth."
            )
        ),
        Paragraph(
            _(
                "A survey criterion with an effective sample under %(needed)s counts as too "
                "few answers; its points are spread over the other criteria.",
                needed=as_number(rules.min_n_eff),
            )
            if rules.insufficient == "renormalize"
            else _(
                "A survey criterion with an effective sample under %(needed)s counts as too "
                "few answers and scores 0.",
                needed=as_number(rules.min_n_eff),
            )
        ),
    ]


def _protection_method_blocks(data):
    """4. How respondents are protected: no identity, small villages hidden."""
    return [
        Heading(_("4. Protecting respondents"), level=2),
        Paragraph(
            _(
                "Responses carry no name, address or device. No figure is shown for a village "
                "with fewer than %(k)s respondents to a survey; where one village is hidden, "
                "the next smallest is hidden too, so that it cannot be worked out from the "
                "total. Free-text answers are not quoted in this report.",
                k=data.suppression_k,
            )
        ),
    ]


def _integrity_method_blocks(data):
    """5. The integrity checks, then the year's flags (hidden villages kept hidden)."""
    blocks = [
        Heading(_("5. Integrity checks"), level=2),
        Paragraph(
            _(
                "Every survey was checked for responses that look unusual: answered in under a "
                "third of the usual time, the same answer to every rating question, many "
                "answers in ten minutes from one village, identical answers, paper sheets beyond "
                "their share of a survey or typed faster than a person types. They are evidence "
                "to look into, not proof. The rule set says whether they count in the rating; "
                "each organization's notes say how many were left out or counted, and a "
                'criterion that the other choice would change is marked "to review".'
            )
        ),
    ]
    flags = integrity_rows(data)
    if not flags:
        blocks.append(Paragraph(_("Nothing unusual was found.")))
        return blocks
    blocks.append(
        Table(
            (_("Survey"), _("Check"), _("Responses"), _("Villages")),
            tuple(
                (
                    row.survey,
                    row.check,
                    SUPPRESSED if row.responses is None else as_number(row.responses, 0),
                    ", ".join(row.villages),
                )
                for row in flags
            ),
            numeric=(2,),
            widths=(2.2, 3.6, 1.2, 2.4),
        )
    )
    return blocks


def _ruleset_method_blocks(data):
    """6. The rule set: its tiers, the answering time and the cap on excellent ratings."""
    rules = data.rules
    blocks = [
        Heading(_("6. The rule set"), level=2),
        Paragraph(
            _(
                'Rule set "%(name)s". Tiers: excellent from %(xuat_sac)s points, with every '
                "key target met and at least %(share)s of the targets exceeded; well from "
                "%(tot)s points, with every key target met; completed from %(hoan_thanh)s "
                "points; under that, or with a recorded breach of discipline or unity, not "
                "completed. Feedback counts as answered in time within %(days)s days.",
                name=rules.title or data.document["ruleset"],
                xuat_sac=as_number(rules.xuat_sac),
                share=as_percent(rules.xuat_sac_exceeded_share),
                tot=as_number(rules.tot),
                hoan_thanh=as_number(rules.hoan_thanh),
                days=rules.answer_within_days,
            )
        ),
    ]
    if rules.cap_enabled:
        blocks.append(
            Paragraph(
                _(
                    "At most %(cap)s of the organizations rated well or better may be rated "
                    "excellent.",
                    cap=as_percent(rules.cap_share),
                )
            )
        )
    return blocks


def _method_blocks(data):
    """The appendix on method, one numbered part after another."""
    return [
        Heading(_("APPENDIX: METHOD")),
        *_surveys_method_blocks(data),
        *_interval_method_blocks(data.rules),
        *_weighting_method_blocks(data.rules),
        *_protection_method_blocks(data),
        *_integrity_method_blocks(data),
        *_ruleset_method_blocks(data),
    ]


def year_report(data: YearData) -> YearReport:
    """The report's text and tables for the gathered `data`, in its language."""
    with force_locale(data.lang):
        issuer = []
        superior = data.district_name.strip() or data.province_name.strip()
        if superior:
            issuer.append(_("PARTY ORGANIZATION OF %(superior)s", superior=superior.upper()))
        issuer.append(
            _(
                "PARTY COMMITTEE OF %(commune)s COMMUNE",
                commune=_bare_commune(data.commune_name).upper(),
            )
        )
        body = (
            _summary_blocks(data)
            + _organization_blocks(data)
            + _target_blocks(data)
            + _commendation_blocks(data)
            + _method_blocks(data)
        )
        return YearReport(
            year=data.year,
            lang=data.lang,
            issuer=tuple(issuer),
            document_number=_("No. %(number)s", number="\u00a0" * 8 + "-BC/ĐU"),
            party=_("COMMUNIST PARTY OF VIETNAM"),
            place_date=_place_date(data),
            title=_("REPORT"),
            subtitle=_(
                "Results of the surveys, evaluation and rating of the quality of the work of "
                "the Fatherland Front and the socio-political organizations in %(year)s",
                year=data.year,
            ),
            body=tuple(body),
            recipients=(
                _("Recipients:"),
                _("- The Standing Committee of the Party Committee,"),
                _("- The Fatherland Front and the socio-political organizations of the commune,"),
                _("- Filed at the Party Committee Office."),
            ),
            signature=(_("ON BEHALF OF THE STANDING COMMITTEE"),),
        )
