"""What dashboards, exports, the CLI and the API consume: ratings as plain JSON-ready data.

`evaluation_document` gives the Evaluation JSON (docs/contract.md#evaluation-json); `note_text`
turns an explanation note into a sentence in Vietnamese (the language of the rating documents) or
English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from analytics.conditions import CONDITION_LABELS, condition_entry
from analytics.criteria import CATALOG
from analytics.errors import AnalyticsError
from analytics.rating import NOT_RATED, TIER_LABELS_VI, Note, Rating
from analytics.rules import RuleSet
from analytics.stats import kruskal_wallis, mann_whitney, top2_share, two_proportion_test

TIER_LABELS_EN = {
    "xuat_sac": "Excellently completed its tasks",
    "tot": "Completed its tasks well",
    "hoan_thanh": "Completed its tasks",
    "khong_hoan_thanh": "Did not complete its tasks",
    NOT_RATED: "Not enough evidence to rate",
}
LANGS = ("vi", "en")

_NOTES = {
    "veto": {
        "vi": "Có vi phạm được ghi nhận ({veto}): xếp loại không hoàn thành nhiệm vụ.",
        "en": "A recorded violation ({veto}) means: did not complete its tasks.",
    },
    "score_below": {
        "vi": "Tổng điểm {score} dưới {threshold}.",
        "en": "The score {score} is below {threshold}.",
    },
    "score_reaches": {
        "vi": "Tổng điểm {score}, đủ điều kiện xếp mức {tier}.",
        "en": "The score {score} qualifies for: {tier}.",
    },
    "key_not_met": {
        "vi": "Chưa đạt chỉ tiêu chủ yếu ({criteria}) nên không xếp mức {tier} trở lên.",
        "en": "Key targets not met ({criteria}), so not {tier} or above.",
    },
    "too_few_exceeded": {
        "vi": "Chỉ vượt {share} số chỉ tiêu, cần từ {needed} để xếp hoàn thành xuất sắc.",
        "en": "Only {share} of the targets exceeded; {needed} needed for the top tier.",
    },
    "insufficient_renormalize": {
        "vi": "Chưa đủ số phiếu để tính: {criteria}; điểm của tiêu chí này được chia lại cho "
        "các tiêu chí khác.",
        "en": "Too few answers to count: {criteria}; its points were spread over the others.",
    },
    "insufficient_zero": {
        "vi": "Chưa đủ số phiếu để tính: {criteria}; tiêu chí này được 0 điểm.",
        "en": "Too few answers to count: {criteria}; it scores 0.",
    },
    "not_rated": {
        "vi": "Chưa đủ căn cứ để xếp loại: chưa nhập số liệu hằng năm của tổ chức{surveys}.",
        "en": "Not enough evidence to rate: the organization's annual figures are not entered"
        "{surveys}.",
    },
    "condition_not_met": {
        "vi": "Chưa đạt điều kiện “{condition}” nên không xếp mức {tier}.",
        "en": "The condition “{condition}” is not met, so not: {tier}.",
    },
    "figures_missing": {
        "vi": "Chưa nhập số liệu: {criteria} (được 0 điểm).",
        "en": "Figures not entered: {criteria} (0 points).",
    },
    "borderline": {
        "vi": "Sát ngưỡng: với sai số của khảo sát ({criterion}), mức xếp loại có thể khác.",
        "en": "Borderline: within the survey's margin ({criterion}) the tier could differ.",
    },
    "capped": {
        "vi": "Đủ điểm và điều kiện xếp hoàn thành xuất sắc, nhưng số tổ chức hoàn thành xuất sắc "
        "không được vượt quá {share} số tổ chức hoàn thành tốt trở lên: {share} của {good} tổ "
        "chức là {exact}, {rounding} thành {allowed}, và {allowed} suất đó thuộc các tổ chức "
        "điểm cao hơn ({kept}); tổ chức này xếp hoàn thành tốt.",
        "en": "It qualifies as excellent, but at most {share} of those rated well or better may "
        "be: {share} of {good} is {exact}, {rounding} to {allowed}, and those places go to "
        "higher scores ({kept}); this one is rated well.",
    },
    "capped_none": {
        "vi": "Đủ điểm và điều kiện xếp hoàn thành xuất sắc, nhưng số tổ chức hoàn thành xuất sắc "
        "không được vượt quá {share} số tổ chức hoàn thành tốt trở lên: {share} của {good} tổ "
        "chức là {exact}, {rounding} thành 0, nên năm nay không tổ chức nào được xếp xuất sắc; "
        "tổ chức này xếp hoàn thành tốt.",
        "en": "It qualifies as excellent, but at most {share} of those rated well or better may "
        "be: {share} of {good} is {exact}, {rounding} to 0, so none can be this year; this "
        "one is rated well.",
    },
    "cap_superior": {
        "vi": "Mức hoàn thành xuất sắc là đề xuất: cấp ủy cấp trên xét tỷ lệ không quá {share} "
        "trong phạm vi của mình.",
        "en": "Excellent is a proposal: the superior committee applies the {share} quota over "
        "its wider group.",
    },
    "sensitive": {
        "vi": "Cần xem xét: bỏ các phiếu bị gắn cờ thì kết quả tiêu chí {criteria} thay đổi.",
        "en": "To review: without the flagged responses, {criteria} changes.",
    },
    "sensitive_excluded": {
        "vi": "Cần xem xét: nếu tính cả các phiếu bị gắn cờ thì kết quả tiêu chí {criteria} sẽ "
        "khác.",
        "en": "To review: with the flagged responses counted, {criteria} would change.",
    },
    "flagged_excluded": {
        "vi": "Theo bộ tiêu chí, {count} phiếu bị gắn cờ không được tính vào các tiêu chí khảo "
        "sát ({kinds}); kết quả khảo sát tính trên các phiếu còn lại.",
        "en": "As the rule set says, {count} flagged responses were left out of the survey "
        "criteria ({kinds}); the survey results count the others.",
    },
    "flagged_counted": {
        "vi": "Theo bộ tiêu chí, {count} phiếu bị gắn cờ vẫn được tính vào các tiêu chí khảo "
        "sát ({kinds}).",
        "en": "As the rule set says, {count} flagged responses are counted in the survey "
        "criteria ({kinds}).",
    },
}
# The integrity checks, as the notes name them.
FLAG_NAMES = {
    "speeder": {"vi": "trả lời quá nhanh", "en": "answered too fast"},
    "straight_liner": {
        "vi": "chọn cùng một mức cho mọi câu",
        "en": "the same answer to every rating question",
    },
    "burst": {"vi": "dồn dập từ một thôn", "en": "a burst from one village"},
    "duplicate": {"vi": "trùng hệt nhau", "en": "identical answers"},
    "paper_share": {
        "vi": "phiếu giấy vượt tỷ lệ cho phép",
        "en": "paper sheets beyond their share",
    },
    "paper_fast": {
        "vi": "phiếu giấy nhập nhanh hơn sức người",
        "en": "paper sheets typed faster than a person types",
    },
}
_SEVERAL_FLAGS = {
    "vi": "một phiếu có thể bị nhiều kiểm tra gắn cờ",
    "en": "one response may be flagged by several checks",
}
_ROUNDING_WORDS = {
    "down": {"vi": "làm tròn xuống", "en": "rounded down"},
    "half_up": {"vi": "làm tròn", "en": "rounded"},
    "at_least_one": {
        "vi": "làm tròn xuống (nhưng ít nhất một)",
        "en": "rounded down (but at least one)",
    },
}
_VETO_NAMES = {
    "discipline": {"vi": "kỷ luật", "en": "discipline"},
    "disunity": {"vi": "mất đoàn kết", "en": "disunity"},
}


def tier_label(tier: str, lang: str = "vi") -> str:
    """The tier's name in `lang`."""
    return (TIER_LABELS_VI if lang == "vi" else TIER_LABELS_EN)[tier]


def criterion_codes() -> tuple[str, ...]:
    """Every criterion the rule set can weigh, the survey criteria first.

    >>> criterion_codes()[:2]
    ('satisfaction', 'supervision_quality')
    """
    return tuple(sorted(CATALOG, key=lambda code: CATALOG[code].source != "survey"))


def criterion_label(code: str, lang: str = "vi") -> str:
    """The criterion's name in `lang`."""
    info = CATALOG[code]
    return info.label_vi if lang == "vi" else info.label_en


def note_text(note: Note, lang: str = "vi") -> str:
    """One explanation note as a sentence.

    >>> note_text(Note("score_below", {"score": 42.456, "threshold": 50.0}))
    'Tổng điểm 42,5 dưới 50.'
    >>> note_text(Note("too_few_exceeded", {"share": 0.2, "needed": 0.3}), "en")
    'Only 20% of the targets exceeded; 30% needed for the top tier.'
    """
    if lang not in LANGS:
        raise AnalyticsError(f"lang must be one of {LANGS}, got {lang!r}")
    if note.code not in _NOTES:
        raise AnalyticsError(f"note code {note.code!r} has no text")
    params = {key: _param(key, value, lang) for key, value in note.params.items()}
    if note.code == "not_rated":
        missing = note.params.get("criteria") or ()
        params["surveys"] = (
            ""
            if not missing
            else {"vi": "; chưa đủ căn cứ từ khảo sát: ", "en": "; no survey evidence yet: "}[lang]
            + params["criteria"]
        )
    code = "capped_none" if note.code == "capped" and note.params.get("allowed") == 0 else note.code
    return _NOTES[code][lang].format(**params)


def _number(value: float, lang: str, digits: int = 1) -> str:
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "vi" else text


def _param(key, value, lang):
    if key in ("share", "needed"):
        return _number(100 * value, lang) + "%"
    if key in ("score", "threshold"):
        return _number(value, lang)
    if key == "tier":
        return tier_label(value, lang)
    if key == "criteria":
        return ", ".join(criterion_label(c, lang) for c in value)
    if key == "criterion":
        return criterion_label(value, lang) if value else "?"
    if key == "veto":
        return _VETO_NAMES[value][lang]
    if key == "condition":
        return CONDITION_LABELS[value][lang]
    if key == "count":
        return str(int(value))
    if key == "good" or key == "allowed":
        return str(int(value))
    if key == "exact":
        return _number(value, lang, 2)
    if key == "rounding":
        return _ROUNDING_WORDS[value][lang]
    if key == "kept":
        return ", ".join(value) if value else "—"
    if key == "kinds":
        return _kinds_text(value, lang)
    return value


def _kinds_text(kinds, lang):
    """ "trả lời quá nhanh: 24; dồn dập từ một thôn: 24" from [(kind, responses), ...]; the
    kind "several" says that one response may be flagged by several checks."""
    parts = [
        _SEVERAL_FLAGS[lang] if k == "several" else f"{FLAG_NAMES[k][lang]}: {int(n)}"
        for k, n in kinds
    ]
    return "; ".join(parts)


@dataclass(frozen=True)
class FlaggedResponses:
    """The flagged responses in an organization's survey criteria: how many (each once), how
    many each check flagged, and whether the rating left them out (the rule set's choice)."""

    responses: int
    kinds: tuple[tuple[str, int], ...]
    excluded: bool

    def notes(self, sensitive: tuple[str, ...]) -> list[Note]:
        """What the explanation says about them: how many were left out (or counted) and why,
        and the criteria that the other choice would change."""
        found = []
        if self.responses:
            kinds = list(self.kinds)
            if sum(n for _k, n in kinds) > self.responses:
                kinds.append(("several", None))
            found.append(
                Note(
                    "flagged_excluded" if self.excluded else "flagged_counted",
                    {"count": self.responses, "kinds": kinds},
                )
            )
        if sensitive:
            code = "sensitive_excluded" if self.excluded else "sensitive"
            found.append(Note(code, {"criteria": list(sensitive)}))
        return found


@dataclass(frozen=True)
class OrganizationResult:
    """A rating with what the report adds: the organization's name, its sensitive criteria
    and the flagged responses in its survey criteria."""

    code: str
    name: str
    rating: Rating
    sensitive: tuple[str, ...] = ()
    flagged: FlaggedResponses | None = None


def _round(value, digits=4):
    return None if value is None else round(float(value), digits)


def evaluation_document(
    year: int, rules: RuleSet, results: Iterable[OrganizationResult], lang: str = "vi"
) -> dict:
    """The Evaluation JSON for `results`, with notes and labels in `lang`."""
    results = list(results)
    names = {result.code: result.name for result in results}
    organizations = []
    for result in results:
        rating = result.rating
        flagged = result.flagged or FlaggedResponses(0, (), rules.exclude_flagged)
        notes = [_with_names(n, names) for n in (*rating.notes, *flagged.notes(result.sensitive))]
        tier = rating.tier
        organizations.append(
            {
                "org": result.code,
                "name": result.name,
                "score": round(rating.score, 2) if rating.rated else None,
                "tier": tier,
                "tier_label": tier_label(tier, lang),
                "rated": rating.rated,
                "borderline": rating.borderline,
                "deciding": rating.deciding,
                "capped": rating.capped,
                "finalized": False,
                "criteria": [
                    {
                        "code": c.code,
                        "label": criterion_label(c.code, lang),
                        "group": c.group,
                        "source": c.source,
                        "value": _round(c.value),
                        "ci": None if c.ci is None else [_round(c.ci[0]), _round(c.ci[1])],
                        "n": c.n,
                        "n_eff": _round(c.n_eff, 1),
                        "target": c.target,
                        "weight": round(c.weight, 2),
                        "points": round(c.points, 2),
                        "status": c.status,
                        "exceeded": c.exceeded,
                        "key": c.key,
                        "sensitive": c.code in result.sensitive,
                        "evidence": dict(c.evidence),
                    }
                    for c in rating.criteria
                ],
                "conditions": [condition_entry(c, lang) for c in rating.conditions],
                "vetoes": list(rating.vetoes),
                "flagged_excluded": flagged.excluded,
                "flagged": {"responses": flagged.responses, "kinds": dict(flagged.kinds)},
                "notes": [note_text(n, lang) for n in notes],
            }
        )
    return {
        "year": year,
        "ruleset": rules.name,
        "ruleset_title": rules.title,
        "flagged_excluded": rules.exclude_flagged,
        "organizations": organizations,
    }


def _with_names(note: Note, names: Mapping[str, str]) -> Note:
    """A note naming organizations (the cap's "kept") by their names rather than codes."""
    if "kept" not in note.params:
        return note
    kept = [names.get(code, code) for code in note.params["kept"]]
    return Note(note.code, {**note.params, "kept": kept})


def sensitive_criteria(with_all: Rating, without_flagged: Rating) -> tuple[str, ...]:
    """Survey criteria whose status or points change when flagged responses are left out."""
    changed = []
    for criterion in with_all.criteria:
        if criterion.source != "survey":
            continue
        other = without_flagged.criterion(criterion.code)
        if other is None:
            continue
        if other.status != criterion.status or abs(other.points - criterion.points) > 0.005:
            changed.append(criterion.code)
    return tuple(changed)


def csv_rows(document: Mapping) -> list[list[object]]:
    """The evaluation as rows for a CSV: one per organization and criterion."""
    header = [
        "org",
        "score",
        "tier",
        "borderline",
        "criterion",
        "value",
        "ci_low",
        "ci_high",
        "n",
        "n_eff",
        "target",
        "weight",
        "points",
        "status",
    ]
    rows = [header]
    for org in document["organizations"]:
        for c in org["criteria"]:
            ci = c["ci"] or [None, None]
            rows.append(
                [
                    org["org"],
                    org["score"],
                    org["tier"],
                    org["borderline"],
                    c["code"],
                    c["value"],
                    ci[0],
                    ci[1],
                    c["n"],
                    c["n_eff"],
                    c["target"],
                    c["weight"],
                    c["points"],
                    c["status"],
                ]
            )
    return rows


_STATUS_VI = {
    "met": "đạt",
    "not_met": "chưa đạt",
    "insufficient": "chưa đủ phiếu",
    "missing": "chưa có số liệu",
}


def _cell(value, digits=2):
    if value is None:
        return "–"
    if isinstance(value, float):
        return _number(value, "vi", digits)
    return str(value)


def _score_cell(score):
    return "–" if score is None else _cell(float(score), 1)


def _percent(value):
    return "–" if value is None else _number(100 * value, "vi", 1) + "%"


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def _finalized_cell(org: Mapping) -> str:
    if not org["finalized"]:
        return ""
    if org.get("changed_since_finalization"):
        return "đã chốt (số liệu đã đổi sau khi chốt)"
    return "đã chốt"


def evaluation_text(document: Mapping) -> str:
    """The Evaluation JSON as plain Vietnamese tables: the summary, then each organization."""
    ruleset = document.get("ruleset_title") or document["ruleset"]
    lines = [
        f"Kết quả đánh giá, xếp loại năm {document['year']} (bộ tiêu chí: {ruleset})",
        "",
    ]
    summary = [["Tổ chức", "Điểm", "Xếp loại", "Sát ngưỡng", "Cần xem xét", "Đã chốt"]]
    for org in document["organizations"]:
        sensitive = any(c["sensitive"] for c in org["criteria"])
        summary.append(
            [
                org["name"],
                _score_cell(org["score"]),
                org["tier_label"],
                "có" if org["borderline"] else "",
                "có" if sensitive else "",
                ("đã chốt" if org["finalized"] else "")
                + (
                    " (số liệu đã đổi sau khi chốt)"
                    if org.get("changed_since_finalization")
                    else ""
                ),
            ]
        )
    lines += _table(summary)
    for org in document["organizations"]:
        lines += ["", f"{org['name']}: {_score_cell(org['score'])} điểm, {org['tier_label']}"]
        rows = [
            ["Tiêu chí", "Đạt được", "Khoảng tin cậy 95%", "n", "Chỉ tiêu", "Điểm", "Trạng thái"]
        ]
        for c in org["criteria"]:
            ci = c["ci"]
            rows.append(
                [
                    c["label"],
                    _percent(c["value"]),
                    "–" if ci is None else f"{_percent(ci[0])} – {_percent(ci[1])}",
                    _cell(c["n"]),
                    _percent(c["target"]),
                    f"{_cell(float(c['points']), 1)}/{_cell(float(c['weight']), 1)}",
                    _STATUS_VI[c["status"]] + (" (cần xem xét)" if c["sensitive"] else ""),
                ]
            )
        lines += _table(rows)
        lines += [f"  - {note}" for note in org["notes"]]
    return "\n".join(lines)


@dataclass(frozen=True)
class Comparison:
    """A survey criterion compared between two years or across organizations."""

    criterion: str
    kind: str  # year_over_year | across_organizations
    subject: str  # the organization code, or "*" across organizations
    groups: tuple[str, ...]
    shares: tuple[float | None, ...]
    proportion_test: object | None
    rank_test: object


def year_over_year(
    criterion: str,
    organization: str,
    years: tuple[int, int],
    answers: tuple[Mapping[float, int], Mapping[float, int]],
) -> Comparison:
    """One organization's likert answers of two years: top-2 shares and their two tests.

    >>> c = year_over_year("satisfaction", "phunu", (2024, 2025),
    ...     ({2: 30, 3: 20, 4: 30, 5: 20}, {3: 10, 4: 50, 5: 40}))
    >>> c.shares, c.proportion_test.pvalue < 0.001, c.rank_test.pvalue < 0.001
    ((0.5, 0.9), True, True)
    """
    before, after = (top2_share(a) for a in answers)
    return Comparison(
        criterion,
        "year_over_year",
        organization,
        tuple(str(y) for y in years),
        (before.estimate, after.estimate),
        two_proportion_test(before, after),
        mann_whitney(*answers),
    )


def across_organizations(criterion: str, answers: Mapping[str, Mapping[float, int]]) -> Comparison:
    """The organizations' likert answers for one criterion in one year: Kruskal-Wallis."""
    codes = tuple(sorted(answers))
    return Comparison(
        criterion,
        "across_organizations",
        "*",
        codes,
        tuple(top2_share(answers[c]).estimate for c in codes),
        None,
        kruskal_wallis({c: answers[c] for c in codes}),
    )


def integrity_summary(surveys: Iterable[tuple[str, Sequence]]) -> list[dict]:
    """Per survey and check: the responses flagged, in how many groups, in which villages;
    for the paper checks, the share of paper sheets or who typed too fast ([name, sheets]).

    `surveys` are (survey code, FlagSummary sequence) pairs; checks that found nothing are
    not listed.
    """
    return [
        {
            "survey": code,
            "kind": flag.kind,
            "responses": flag.responses,
            "groups": flag.groups,
            "units": list(flag.units),
            **({} if flag.share is None else {"share": flag.share}),
            **({"typists": [list(t) for t in flag.typists]} if flag.typists else {}),
        }
        for code, flags in surveys
        for flag in sorted(flags, key=lambda f: f.kind)
        if flag.responses
    ]
