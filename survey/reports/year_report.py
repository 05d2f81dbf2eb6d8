"""The year-end report: everything it shows, gathered once, as plain data.

`gather_year(year)` runs the queries (the Evaluation JSON with its integrity flags, the
commune's targets, each survey's Results JSON, the feedback topics); `year_report(data)` turns
that into the report's text and tables. The DOCX, the print-ready HTML and the XLSX workbook
are all written from these two, so they hold the same words and numbers. The report is an
administrative document of the Party Committee: its language is Vietnamese unless asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from analytics import CommuneTarget, RuleSet, commune_targets, flags_without_hidden_villages
from survey.commune.settings import setting
from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME, year_bounds
from survey.feedback.inbox import topic_label
from survey.models import (
    AnnualIndicator,
    Evaluation,
    FeedbackItem,
    Organization,
    Question,
    Survey,
)
from survey.ratings.integrity_text import flag_text
from survey.ratings.reading import year_document
from survey.ratings.rulesets import commune_rules
from survey.reports.results import survey_results
from survey.responses import catalog
from survey.surveys.forms import AUDIENCE_NAMES

DASH = "–"
# What stands in a cell the Results JSON hides (a village with too few respondents).
SUPPRESSED = "—"


class NothingToReport(ValueError):
    """The year has no surveys, annual figures or finalized ratings to report on."""


# --- gathering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionInfo:
    """What the workbook says about a question beside its numbers: its text and options."""

    code: str
    kind: str
    text: str
    options: Mapping[str, str]  # option code -> label


@dataclass(frozen=True)
class SurveyData:
    """One survey of the year with its Results JSON (small villages already suppressed)."""

    code: str
    title: str
    audience: str
    topic: str
    status: str
    questions: tuple[QuestionInfo, ...]
    results: Mapping


@dataclass(frozen=True)
class YearData:
    """What the year's report and workbook are made of, from the database."""

    year: int
    lang: str
    document: Mapping  # the Evaluation JSON, with "integrity"
    targets: tuple[CommuneTarget, ...]
    surveys: tuple[SurveyData, ...]
    feedback_topics: Mapping[str, tuple[tuple[str | None, int], ...]]  # org -> (topic, n)
    village_names: Mapping[str, str]
    rules: RuleSet
    suppression_k: int
    commune_name: str
    district_name: str
    province_name: str
    today: date


def has_figures(year: int) -> bool:
    """Whether `year` has anything to report: a survey past its draft, annual figures, or a
    finalized rating."""
    if not 2000 <= year <= 2100:  # no data outside the years surveys take (nor integer overflow)
        return False
    for query in (
        sa.select(Survey.id).where(Survey.year == year, Survey.status != "draft"),
        sa.select(AnnualIndicator.id).where(AnnualIndicator.year == year),
        sa.select(Evaluation.id).where(Evaluation.year == year),
    ):
        if db.session.scalar(query.limit(1)) is not None:
            return True
    return False


def _questions(survey, lang):
    return tuple(
        QuestionInfo(
            q.code,
            q.kind,
            _in(q.text, lang),
            {o.code: _in(o.label, lang) for o in q.options},
        )
        for q in survey.questions
        if q.kind != "text"
    )


def _in(texts, lang):
    texts = texts or {}
    return texts.get(lang) or texts.get("vi") or next(iter(texts.values()), "")


def survey_data(survey, lang: str = "vi") -> SurveyData:
    """One survey's questions and Results JSON, for the workbooks."""
    return SurveyData(
        code=survey.code,
        title=survey.text("title", lang),
        audience=survey.audience,
        topic=survey.topic,
        status=survey.status,
        questions=_questions(survey, lang),
        results=survey_results(survey),
    )


def feedback_topics(year: int) -> dict[str, tuple[tuple[str | None, int], ...]]:
    """Per organization code: its feedback received in `year` counted by topic, most first."""
    start, end = year_bounds(year)
    rows = db.session.execute(
        sa.select(Organization.code, FeedbackItem.topic, sa.func.count())
        .join(Organization, Organization.id == FeedbackItem.organization_id)
        .where(FeedbackItem.received_at >= start, FeedbackItem.received_at < end)
        .group_by(Organization.code, FeedbackItem.topic)
    ).all()
    found: dict[str, list[tuple[str | None, int]]] = {}
    for code, topic, n in rows:
        found.setdefault(code, []).append((topic, int(n)))
    return {
        code: tuple(sorted(pairs, key=lambda pair: (-pair[1], pair[0] is None, pair[0] or "")))
        for code, pairs in found.items()
    }


def gather_year(year: int, lang: str = "vi", today: date | None = None) -> YearData:
    """Everything the year's report and workbook show; NothingToReport for an empty year.

    May raise analytics' AnalyticsError when the commune's rule set cannot be read.
    """
    if not has_figures(year):
        raise NothingToReport("no surveys, annual figures or finalized ratings for this year")
    document = year_document(year, lang=lang, with_integrity=True)
    if not document["organizations"]:
        raise NothingToReport("the commune has no organizations to report on")
    surveys = db.session.scalars(
        sa.select(Survey)
        .where(Survey.year == year, Survey.status != "draft")
        .order_by(Survey.code)
        .options(selectinload(Survey.questions).selectinload(Question.options))
    ).all()
    return YearData(
        year=year,
        lang=lang,
        document=document,
        targets=commune_targets(document),
        surveys=tuple(survey_data(s, lang) for s in surveys),
        feedback_topics=feedback_topics(year),
        village_names=catalog.village_names(),
        rules=commune_rules(year),
        suppression_k=int(setting("SUPPRESSION_K")),
        commune_name=setting("COMMUNE_NAME") or "",
        district_name=setting("DISTRICT_NAME") or "",
        province_name=setting("PROVINCE_NAME") or "",
        today=today or datetime.now(COMMUNE_TIME).date(),
    )


# --- the report's content --------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 for the report's parts, 2 for an organization, 3 inside it."""

    text: str
    level: int = 1
    kind: str = field(default="heading", init=False)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text; `emphasis` is "", "italic" or "bold"."""

    text: str
    emphasis: str = ""
    kind: str = field(default="paragraph", init=False)


@dataclass(frozen=True)
class Bullets:
    """A list of short points."""

    items: tuple[str, ...]
    kind: str = field(default="bullets", init=False)


@dataclass(frozen=True)
class Table:
    """A table of text cells; `numeric` columns are aligned right; `widths` are relative."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()
    widths: tuple[float, ...] = ()
    kind: str = field(default="table", init=False)


@dataclass(frozen=True)
class YearReport:
    """The report as text: the header block, the title, the body and the closing."""

    year: int
    lang: str
    issuer: tuple[str, ...]  # left of the header: the superior body, the committee
    document_number: str
    party: str  # right of the header: ĐẢNG CỘNG SẢN VIỆT NAM
    place_date: str
    title: str
    subtitle: str
    body: tuple[Heading | Paragraph | Bullets | Table, ...]
    recipients: tuple[str, ...]
    signature: tuple[str, ...]


def _number(value, digits=1):
    if value is None:
        return DASH
    return format_decimal(value, "#,##0." + "#" * digits if digits else "#,##0")


def _percent(value):
    return DASH if value is None else _number(100 * value) + "%"


def _interval(ci):
    if not ci:
        return DASH
    return f"{_number(100 * ci[0])}{DASH}{_number(100 * ci[1])}%"


def _date(iso):
    when = datetime.fromisoformat(iso).astimezone(COMMUNE_TIME)
    return when.strftime("%d/%m/%Y")


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
    words = {"met": _("met"), "not_met": _("not met"), "insufficient": _("too few answers")}
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
            sample = _number(c["n"], 0)
            if c["n_eff"] is not None and c["source"] == "survey":
                sample += f" ({_number(c['n_eff'])})"
        rows.append(
            (
                label,
                _percent(c["value"]),
                _interval(c["ci"]),
                sample,
                _percent(c["target"]),
                f"{_number(c['points'])}/{_number(c['weight'])}",
                _status(c),
            )
        )
    return Table(
        (
            _("Criterion"),
            _("Achieved"),
            _("Interval (%(level)s)", level=_percent(level)),
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
            value=_percent(c["value"]),
            target=_percent(c["target"]),
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
        if c["status"] == "not_met":
            if c["value"] is None:
                found.append(_("%(criterion)s: figures not entered.", criterion=c["label"]))
            else:
                found.append(
                    _(
                        "%(criterion)s: %(value)s against a target of %(target)s.",
                        criterion=c["label"],
                        value=_percent(c["value"]),
                        target=_percent(c["target"]),
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
                        n_eff=_number(c["n_eff"]),
                        needed=_number(rules.min_n_eff),
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
            score=_number(org["score"]),
            tier=org["tier_label"],
        )
    ]
    if org.get("finalized") and org.get("finalized_at"):
        lines.append(
            _(
                "This rating was finalized by the Standing Committee on %(date)s.",
                date=_date(org["finalized_at"]),
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
                count=_number(total, 0),
            )
        ),
        Table(
            (_("Theme"), _("Feedback items"), _("Share")),
            tuple(
                (str(topic_label(topic)), _number(n, 0), _percent(n / total)) for topic, n in topics
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
                    share=_percent(answered["value"]),
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


@dataclass(frozen=True)
class IntegrityRow:
    """One check that flagged responses in a survey, as the report and workbook show it."""

    survey: str
    check: str
    responses: int | None  # None: it would tell the size of a hidden village
    groups: int
    villages: tuple[str, ...]  # names; SUPPRESSED for a village the Results JSON hides


def integrity_rows(data: YearData) -> list[IntegrityRow]:
    """The year's integrity flags, with the survey's hidden villages kept hidden.

    A burst names its villages; a village the survey's Results JSON suppresses shows as
    SUPPRESSED, and a flag whose villages are all hidden shows no count either, since the
    count would then be that village's.
    """
    hidden = {
        s.code: {code for code, unit in s.results["units"].items() if unit["suppressed"]}
        for s in data.surveys
    }
    flags = flags_without_hidden_villages(data.document.get("integrity") or [], hidden)
    rows = [
        IntegrityRow(
            survey=flag["survey"],
            check=flag_text(flag),
            responses=flag["responses"],
            groups=flag["groups"],
            villages=tuple(
                SUPPRESSED if u is None else data.village_names.get(u, u) for u in flag["units"]
            ),
        )
        for flag in flags
    ]
    return rows


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
            (str(position), org["name"], _number(org["score"]), org["tier_label"], "; ".join(marks))
        )
    counts: dict[str, int] = {}
    labels = {}
    for org in document["organizations"]:
        counts[org["tier"]] = counts.get(org["tier"], 0) + 1
        labels[org["tier"]] = org["tier_label"]
    order = ("xuat_sac", "tot", "hoan_thanh", "khong_hoan_thanh")
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


def _method_blocks(data):
    rules = data.rules
    blocks = [
        Heading(_("APPENDIX: METHOD")),
        Heading(_("1. Surveys and sample sizes"), level=2),
    ]
    if data.surveys:
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
                (_("Code"), _("Survey"), _("Who answers"), _("Responses")),
                tuple(
                    (
                        s.code,
                        s.title,
                        str(AUDIENCE_NAMES.get(s.audience, s.audience)),
                        _number(s.results["n"], 0),
                    )
                    for s in data.surveys
                ),
                numeric=(3,),
                widths=(2.0, 4.2, 2.0, 1.2),
            )
        )
    else:
        blocks.append(
            Paragraph(
                _(
                    "No survey of %(year)s was held; the survey criteria could not be counted.",
                    year=data.year,
                )
            )
        )
    blocks += [
        Heading(_("2. Intervals"), level=2),
        Paragraph(
            _(
                "A survey criterion is the share of answers of 4 or 5 (satisfied) on the "
                "five-point scale. Each share is given with its Wilson score interval at "
                "%(level)s confidence, and each mean of ratings with a Student t interval. "
                "The share of feedback answered in time has a Wilson interval too.",
                level=_percent(rules.level),
            )
        ),
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
                needed=_number(rules.min_n_eff),
            )
            if rules.insufficient == "renormalize"
            else _(
                "A survey criterion with an effective sample under %(needed)s counts as too "
                "few answers and scores 0.",
                needed=_number(rules.min_n_eff),
            )
        ),
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
    if flags:
        blocks.append(
            Table(
                (_("Survey"), _("Check"), _("Responses"), _("Villages")),
                tuple(
                    (
                        row.survey,
                        row.check,
                        SUPPRESSED if row.responses is None else _number(row.responses, 0),
                        ", ".join(row.villages),
                    )
                    for row in flags
                ),
                numeric=(2,),
                widths=(2.2, 3.6, 1.2, 2.4),
            )
        )
    else:
        blocks.append(Paragraph(_("Nothing unusual was found.")))
    blocks += [
        Heading(_("6. The rule set"), level=2),
        Paragraph(
            _(
                'Rule set "%(name)s". Tiers: excellent from %(xuat_sac)s points, with every '
                "key target met and at least %(share)s of the targets exceeded; well from "
                "%(tot)s points, with every key target met; completed from %(hoan_thanh)s "
                "points; under that, or with a recorded breach of discipline or unity, not "
                "completed. Feedback counts as answered in time within %(days)s days.",
                name=data.document["ruleset"],
                xuat_sac=_number(rules.xuat_sac),
                share=_percent(rules.xuat_sac_exceeded_share),
                tot=_number(rules.tot),
                hoan_thanh=_number(rules.hoan_thanh),
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
                    cap=_percent(rules.cap_share),
                )
            )
        )
    return blocks


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
