"""Rule sets: the numbers of the annual rating, in TOML, checked before they are used.

The default ships as analytics/default_rules.toml. A commune overrides any of it with its own
TOML (instance/rules.toml): top-level tables replace the default's keys, criteria are matched
by code (a new code adds a criterion, `weight = 0` leaves one out), and a `[year.YYYY]` table of
the same shape applies to that year only.
"""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from analytics.criteria import CATALOG
from analytics.errors import AnalyticsError

DEFAULT_FILE = "default_rules.toml"
INSUFFICIENT_POLICIES = ("renormalize", "zero")
# A short name: a finalized rating keeps it beside its score.
NAME_LENGTH = 64
GROUPS = ("general", "results")

_TOP_KEYS = {
    "name",
    "title",
    "tiers",
    "cap",
    "conditions",
    "commendations",
    "scoring",
    "surveys",
    "feedback",
    "integrity",
    "criteria",
    "year",
}
_TABLE_KEYS = {
    "tiers": {"xuat_sac", "tot", "hoan_thanh", "xuat_sac_exceeded_share"},
    "cap": {"enabled", "xuat_sac_share", "rounding", "applies_to"},
    "conditions": {"tasks_on_time", "max_late_share", "no_discipline"},
    "commendations": {"excellent", "good_and_rising"},
    "scoring": {"zero_below_share_of_target"},
    "surveys": {"min_n_eff", "insufficient", "level"},
    "feedback": {"answer_within_days"},
    "integrity": {"exclude_flagged"},
}
_CRITERION_KEYS = {"code", "group", "weight", "target", "key"}

# Checked before tomllib reads a text: it recurses into arrays and inline tables nested in one
# another (a RecursionError past some 900 levels) and takes memory quadratic in the parts of
# a dotted key (9,000 parts, 18 KB of text: 300 MB). No rule set comes near these.
MAX_TEXT_LENGTH = 100_000
MAX_NESTING = 20  # arrays and inline tables inside one another, table headers' brackets too
MAX_KEY_PARTS = 20  # a.b.c = 1 or [a.b.c]: 3 parts
# Strings and comments, in TOML's order of precedence: what they hold is neither structure
# nor keys. A multi-line string may end with one or two more quotes of its kind.
_STRING_OR_COMMENT = re.compile(
    r'"""(?:\\[\s\S]|[^\\])*?""""{0,2}'
    r"|'''[\s\S]*?''''{0,2}"
    r'|"(?:\\.|[^"\\\n])*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
)
# Dot-separated parts outside strings (a quoted part is a placeholder by then): a key, or a
# number (70.5 has 2 parts; a date-time at most 2).
_DOTTED = re.compile(r"[\w-]+(?:[ \t]*\.[ \t]*[\w-]+)+")


# The cap's share of the organizations rated good or better, as a whole number of them:
# "down" (the strict reading of "không vượt quá": 20% of 4 is 0), "half_up" (20% of 3 is 1),
# "at_least_one" (down, but one when any organization qualifies).
CAP_ROUNDINGS = ("down", "half_up", "at_least_one")
# Over which group the cap is counted: the commune's own organizations, or a wider group of
# the superior committee (which applies it there: the commune's ratings are its proposals).
CAP_GROUPS = ("commune", "superior")


@dataclass(frozen=True)
class CriterionRule:
    """One criterion of a rule set: its points, target, and whether it is a key target."""

    code: str
    group: str
    weight: float
    target: float
    key: bool


@dataclass(frozen=True)
class RuleSet:
    """A checked rule set for one year."""

    name: str
    title: str
    year: int | None
    criteria: tuple[CriterionRule, ...]
    xuat_sac: float
    tot: float
    hoan_thanh: float
    xuat_sac_exceeded_share: float
    cap_enabled: bool
    cap_share: float
    zero_below_share_of_target: float
    min_n_eff: float
    insufficient: str
    level: float
    answer_within_days: int
    source: str
    # Whether the responses an integrity check flagged are left out of the survey criteria.
    exclude_flagged: bool = True
    # How the cap's share becomes a number of organizations (CAP_ROUNDINGS), and over which
    # group it is counted (CAP_GROUPS).
    cap_rounding: str = "down"
    cap_applies_to: str = "commune"
    # Quy định 366's conditions beside the points (analytics.conditions): every task on time for
    # the two upper tiers, at most this share late for "hoàn thành", no one disciplined for the
    # top tier.
    tasks_on_time: bool = True
    max_late_share: float = 0.20
    no_discipline: bool = True
    # The grounds for proposing a commendation (analytics.commendations).
    commend_excellent: bool = True
    commend_good_and_rising: bool = True

    def criterion(self, code: str) -> CriterionRule | None:
        """The rule for criterion `code`, or None when the rule set leaves it out."""
        return next((c for c in self.criteria if c.code == code), None)


def default_text() -> str:
    """The TOML text of the default rule set shipped with analytics."""
    return resources.files("analytics").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")


def load_ruleset(
    year: int | None = None, override: str | None = None, province: str | None = None
) -> RuleSet:
    """The default rule set, with the province's TOML default `province` and then the
    commune's TOML `override` applied, each with its `[year.YYYY]` tables.

    >>> rules = load_ruleset(2025)
    >>> rules.name, sum(c.weight for c in rules.criteria), rules.tot
    ('default', 100.0, 70.0)
    >>> load_ruleset(2025, 'tiers = {tot = 95}')
    Traceback (most recent call last):
    ...
    analytics.errors.AnalyticsError: rules: [tiers] must rise: hoan_thanh 50 < tot 95 < xuat_sac 90
    >>> load_ruleset(2025, 'tiers = {tot = 75}', province='tiers = {tot = 80, xuat_sac = 95}').tot
    75.0
    """
    data = _parse(default_text(), DEFAULT_FILE)
    data.pop("year", None)
    source = default_text()
    layers = (
        (province, "province rules", "province default"),
        (override, "rules.toml", "commune override (instance/rules.toml)"),
    )
    for text, where, heading in layers:
        if not text:
            continue
        extra = _parse(text, where)
        years = extra.pop("year", {})
        if not isinstance(years, dict):
            raise AnalyticsError(f"{where}: [year] must be tables like [year.2025]")
        data = _merge(data, extra, where)
        if year is not None and str(year) in years:
            data = _merge(data, years[str(year)], f"{where} [year.{year}]")
        source = source + f"\n# --- {heading} ---\n" + text
    return _check(data, year, source)


def _parse(text: str, where: str) -> dict:
    _check_shape(text, where)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise AnalyticsError(f"{where}: not valid TOML: {error}") from None
    except RecursionError:  # the check above should have refused it already
        raise AnalyticsError(f"{where}: nested too deeply") from None
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise AnalyticsError(f"{where}: unknown key {unknown[0]!r} (known: {sorted(_TOP_KEYS)})")
    return data


def _check_shape(text: str, where: str) -> None:
    """Refuse a text too long, or nested too deeply, for tomllib to read safely.

    >>> _check_shape("a = " + "[" * 30 + "]" * 30, "x")
    Traceback (most recent call last):
    ...
    analytics.errors.AnalyticsError: x: nested too deeply (30 levels of arrays, tables; at most 20)
    >>> _check_shape('name = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[" # ]]]]', "x")
    """
    if len(text) > MAX_TEXT_LENGTH:
        raise AnalyticsError(
            f"{where}: too long ({len(text):,} characters; at most {MAX_TEXT_LENGTH:,})"
        )
    skeleton = _STRING_OR_COMMENT.sub(lambda m: "" if m[0][0] == "#" else "s", text)
    depth = deepest = 0
    for bracket in re.sub(r"[^\[\]{}]", "", skeleton):
        depth = depth + 1 if bracket in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        raise AnalyticsError(
            f"{where}: nested too deeply ({deepest} levels of arrays, tables; at most "
            f"{MAX_NESTING})"
        )
    parts = max((m[0].count(".") + 1 for m in _DOTTED.finditer(skeleton)), default=1)
    if parts > MAX_KEY_PARTS:
        raise AnalyticsError(
            f"{where}: a key nested too deeply ({parts:,} dotted parts; at most {MAX_KEY_PARTS})"
        )


def _merge(base: dict, extra: dict, where: str) -> dict:
    merged = copy.deepcopy(base)
    for key, value in extra.items():
        if key == "year":
            raise AnalyticsError(f"{where}: [year] tables cannot be nested")
        if key == "criteria":
            merged["criteria"] = _merge_criteria(merged.get("criteria", []), value, where)
        elif key in _TABLE_KEYS:
            if not isinstance(value, dict):
                raise AnalyticsError(f"{where}: {key} must be a table, got {value!r}")
            merged.setdefault(key, {}).update(value)
        else:
            merged[key] = value
    return merged


def _merge_criteria(base: list, extra: list, where: str) -> list:
    if not isinstance(extra, list):
        raise AnalyticsError(f"{where}: criteria must be [[criteria]] tables")
    merged = [dict(c) for c in base]
    for item in extra:
        code = item.get("code") if isinstance(item, dict) else None
        if not code:
            raise AnalyticsError(f"{where}: every [[criteria]] needs a code, got {item!r}")
        existing = next((c for c in merged if c.get("code") == code), None)
        if existing is None:
            merged.append(dict(item))
        else:
            existing.update(item)
    return merged


def _number(table: dict, key: str, where: str) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AnalyticsError(f"rules: {where}.{key} must be a number, got {value!r}")
    return float(value)


def _share(table: dict, key: str, where: str) -> float:
    value = _number(table, key, where)
    if not 0 < value <= 1:
        raise AnalyticsError(f"rules: {where}.{key} must be a share in (0, 1], got {value!r}")
    return value


def _check(data: dict, year: int | None, source: str) -> RuleSet:
    for table, keys in _TABLE_KEYS.items():
        given = data.get(table, {})
        unknown = sorted(set(given) - keys)
        if unknown:
            raise AnalyticsError(f"rules: unknown key {table}.{unknown[0]} (known: {sorted(keys)})")
    tiers, cap = data.get("tiers", {}), data.get("cap", {})
    scoring, surveys = data.get("scoring", {}), data.get("surveys", {})
    xuat_sac, tot, hoan_thanh = (
        _number(tiers, k, "tiers") for k in ("xuat_sac", "tot", "hoan_thanh")
    )
    if not 0 < hoan_thanh < tot < xuat_sac <= 100:
        raise AnalyticsError(
            f"rules: [tiers] must rise: hoan_thanh {hoan_thanh:g} < tot {tot:g} < "
            f"xuat_sac {xuat_sac:g}" + ("" if xuat_sac <= 100 else " <= 100")
        )
    insufficient = surveys.get("insufficient")
    if insufficient not in INSUFFICIENT_POLICIES:
        raise AnalyticsError(
            f"rules: surveys.insufficient must be one of {INSUFFICIENT_POLICIES}, "
            f"got {insufficient!r}"
        )
    min_n_eff = _number(surveys, "min_n_eff", "surveys")
    if min_n_eff < 0:
        raise AnalyticsError(f"rules: surveys.min_n_eff must be >= 0, got {min_n_eff:g}")
    level = _share(surveys, "level", "surveys")
    days = _number(data.get("feedback", {}), "answer_within_days", "feedback")
    if days < 1 or days != int(days):
        raise AnalyticsError(
            f"rules: feedback.answer_within_days must be a whole number >= 1, got {days:g}"
        )
    _check_switches(data)
    conditions, commend = data.get("conditions", {}), data.get("commendations", {})
    criteria = _check_criteria(data.get("criteria", []))
    name = str(data.get("name", "")) or "default"
    if len(name) > NAME_LENGTH:
        raise AnalyticsError(
            f"rules: name must be at most {NAME_LENGTH} characters, got {len(name)}"
        )
    return RuleSet(
        name=name,
        title=str(data.get("title", "")),
        year=year,
        criteria=criteria,
        xuat_sac=xuat_sac,
        tot=tot,
        hoan_thanh=hoan_thanh,
        xuat_sac_exceeded_share=_share(tiers, "xuat_sac_exceeded_share", "tiers"),
        cap_enabled=cap["enabled"],
        cap_share=_share(cap, "xuat_sac_share", "cap"),
        zero_below_share_of_target=_share(scoring, "zero_below_share_of_target", "scoring"),
        min_n_eff=min_n_eff,
        insufficient=insufficient,
        level=level,
        answer_within_days=int(days),
        source=source,
        exclude_flagged=data["integrity"]["exclude_flagged"],
        cap_rounding=cap.get("rounding", CAP_ROUNDINGS[0]),
        cap_applies_to=cap.get("applies_to", CAP_GROUPS[0]),
        tasks_on_time=conditions.get("tasks_on_time", True),
        max_late_share=_share(conditions, "max_late_share", "conditions")
        if "max_late_share" in conditions
        else 0.20,
        no_discipline=conditions.get("no_discipline", True),
        commend_excellent=commend.get("excellent", True),
        commend_good_and_rising=commend.get("good_and_rising", True),
    )


def _check_switches(data: dict) -> None:
    """The rule set's yes/no switches are true or false, and the cap's choices known ones."""
    for table, key in (("cap", "enabled"), ("integrity", "exclude_flagged")):
        value = data.get(table, {}).get(key)
        if not isinstance(value, bool):
            raise AnalyticsError(f"rules: {table}.{key} must be true or false, got {value!r}")
    conditions, commend = data.get("conditions", {}), data.get("commendations", {})
    cap = data.get("cap", {})
    for table, values, key in (
        ("conditions", conditions, "tasks_on_time"),
        ("conditions", conditions, "no_discipline"),
        ("commendations", commend, "excellent"),
        ("commendations", commend, "good_and_rising"),
    ):
        if not isinstance(values.get(key, True), bool):
            raise AnalyticsError(f"rules: {table}.{key} must be true or false, got {values[key]!r}")
    for key, known in (("rounding", CAP_ROUNDINGS), ("applies_to", CAP_GROUPS)):
        if cap.get(key, known[0]) not in known:
            raise AnalyticsError(f"rules: cap.{key} must be one of {known}, got {cap[key]!r}")


def _check_criteria(items: list) -> tuple[CriterionRule, ...]:
    rules = []
    for item in items:
        code = item.get("code")
        where = f"[[criteria]] {code!r}"
        unknown = sorted(set(item) - _CRITERION_KEYS)
        if unknown:
            raise AnalyticsError(f"rules: {where}: unknown key {unknown[0]!r}")
        if code not in CATALOG:
            raise AnalyticsError(
                f"rules: {where}: unknown criterion (known: {', '.join(sorted(CATALOG))})"
            )
        if item.get("group") not in GROUPS:
            raise AnalyticsError(
                f"rules: {where}: group must be one of {GROUPS}, got {item.get('group')!r}"
            )
        weight = _number(item, "weight", where)
        if weight < 0:
            raise AnalyticsError(f"rules: {where}: weight must be >= 0, got {weight:g}")
        target = _number(item, "target", where)
        if target <= 0:
            raise AnalyticsError(f"rules: {where}: target must be > 0, got {target:g}")
        if CATALOG[code].share and target > 1:
            raise AnalyticsError(f"rules: {where}: target is a share, must be <= 1, got {target:g}")
        if not isinstance(item.get("key", False), bool):
            raise AnalyticsError(f"rules: {where}: key must be true or false")
        if weight > 0:
            rules.append(CriterionRule(code, item["group"], weight, target, item.get("key", False)))
    total = sum(r.weight for r in rules)
    if abs(total - 100) > 1e-9:
        listing = ", ".join(f"{r.code} {r.weight:g}" for r in rules)
        raise AnalyticsError(f"rules: criteria weights must sum to 100, got {total:g} ({listing})")
    return tuple(rules)
