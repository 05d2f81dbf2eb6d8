"""The year-end report's appendix on method: the surveys and their samples, the intervals, the
weighting, how respondents are protected, the integrity checks and the rule set, as plain data
blocks (survey.reports.report_text) for survey.reports.year_report to place last."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.models.vocabulary import AUDIENCE_NAMES
from survey.reports.report_text import (
    Heading,
    Paragraph,
    Table,
    as_number,
    as_percent,
)
from survey.reports.year_data import SUPPRESSED, integrity_rows


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


def method_blocks(data):
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
