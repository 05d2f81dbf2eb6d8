"""The commune's rule set: analytics' default, then the province's default, then what the
commune's Party Committee Office changes.

Each layer is TOML (analytics.rules) holding only what it changes. The province office edits
the province's default (ProvinceSetting, for every commune); the commune's office edits its own
under Administration (Setting), so every worker and host uses the same rules. A deployment may
instead put a commune's changes in instance/rules.toml, which applies only while nothing is
saved.
"""

import os
import tomllib

import sqlalchemy as sa
import tomli_w
from flask import current_app

from analytics import AnalyticsError, RuleSet, load_ruleset
from survey.audit import trail
from survey.core.extensions import db
from survey.core.tenancy import across_communes
from survey.models import Commune, ProvinceSetting, Setting
from survey.responses.answer_rules import small_whole_number

RULES_SETTING = "RULES_TOML"
RULES_FILE = "rules.toml"


def saved_override():
    """The override text in force: the saved one, else instance/rules.toml, else None."""
    row = db.session.scalar(sa.select(Setting).where(Setting.key == RULES_SETTING))
    if row is not None and row.value:
        return row.value
    path = os.path.join(current_app.instance_path, RULES_FILE)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return f.read()
    return None


def province_override():
    """The province's default rule set (TOML), or None: what every commune starts from."""
    row = db.session.get(ProvinceSetting, RULES_SETTING)
    return row.value if row is not None and row.value else None


def base_rules(year: int) -> RuleSet:
    """What a commune's changes apply to: analytics' default with the province's."""
    return load_ruleset(year, None, province_override())


def commune_rules(year: int) -> RuleSet:
    """The checked rule set for `year` (raises AnalyticsError when the override is wrong)."""
    return load_ruleset(year, saved_override(), province_override())


def check_override(text: str, year: int, province: str | None = None) -> RuleSet:
    """Check the commune's `text` (over the province's default `province`) for `year` and for
    every [year.YYYY] table it holds; the rules for `year`."""
    rules = load_ruleset(year, text or None, province)
    for other_year in _years_of(text):
        load_ruleset(other_year, text or None, province)
    return rules


def _years_of(*texts) -> set[int]:
    """The years of the [year.YYYY] tables in `texts`."""
    found = set()
    for text in texts:
        try:
            years = tomllib.loads(text).get("year", {}) if text else {}
        except tomllib.TOMLDecodeError:  # load_ruleset has already refused it
            years = {}
        for other in years if isinstance(years, dict) else ():
            other_year = small_whole_number(str(other))
            if other_year is not None:
                found.add(other_year)
    return found


def save_override(text: str, year: int) -> bool:
    """Check and save the override (empty: back to the default); audit it. True if changed."""
    text = text.replace("\r\n", "\n").strip()
    check_override(text, year, province_override())
    row = db.session.scalar(sa.select(Setting).where(Setting.key == RULES_SETTING))
    before = row.value if row is not None else ""
    if text == before:
        return False
    if not text:
        db.session.delete(row)
    elif row is None:
        db.session.add(Setting(key=RULES_SETTING, value=text))
    else:
        row.value = text
    trail.record("ruleset.update", "commune", before={"toml": before}, after={"toml": text})
    return True


class CommuneRulesBroken(ValueError):
    """The province's default would break a commune's own changes: the commune and why."""

    def __init__(self, commune: str, reason: str):
        super().__init__(f"{commune}: {reason}")
        self.commune, self.reason = commune, reason


def save_province_override(text: str, year: int) -> bool:
    """Check and save the province's default rule set (empty: analytics' default), in the
    province's audit log; True if changed. Every commune's own changes must still hold over
    it (CommuneRulesBroken names the first that would not)."""
    text = text.replace("\r\n", "\n").strip()
    check_override("", year, text or None)
    for other_year in _years_of(text):
        load_ruleset(other_year, None, text or None)
    with across_communes():
        communes = db.session.execute(
            sa.select(Commune.name, Setting.value)
            .join(Commune, Commune.id == Setting.commune_id)
            .where(Setting.key == RULES_SETTING)
            .order_by(Commune.name)
        ).all()
        for name, commune_text in communes:
            try:
                check_override(commune_text or "", year, text or None)
            except AnalyticsError as error:
                raise CommuneRulesBroken(name, str(error)) from error
        row = db.session.get(ProvinceSetting, RULES_SETTING)
        before = row.value if row is not None else ""
        if text == before:
            return False
        if row is None:
            db.session.add(ProvinceSetting(key=RULES_SETTING, value=text))
        else:
            row.value = text
        trail.record("ruleset.update", "province", before={"toml": before}, after={"toml": text})
    return True


def override_from(tables: dict, saved_text: str, year: int, default: RuleSet) -> str:
    """The override TOML holding `tables` (the rule set form's values): only what differs
    from `default` (the rules it applies to), with the name and the [year.YYYY] tables
    already saved kept."""
    saved = tomllib.loads(saved_text) if saved_text else {}
    override = {key: saved[key] for key in ("name", "year") if key in saved}
    if tables["title"] != default.title:
        override["title"] = tables["title"]
    for table, values in tables.items():
        if table in ("title", "criteria"):
            continue
        changed = {k: v for k, v in values.items() if v != _default_value(default, table, k)}
        if changed:
            override[table] = changed
    default_criteria = {c.code: c for c in default.criteria}
    criteria = [
        row for row in tables["criteria"] if _differs(row, default_criteria.get(row["code"]))
    ]
    if criteria:
        override["criteria"] = criteria
    return tomli_w.dumps(override)


_DEFAULT_NAMES = {
    ("tiers", "xuat_sac"): "xuat_sac",
    ("tiers", "tot"): "tot",
    ("tiers", "hoan_thanh"): "hoan_thanh",
    ("tiers", "xuat_sac_exceeded_share"): "xuat_sac_exceeded_share",
    ("cap", "enabled"): "cap_enabled",
    ("cap", "xuat_sac_share"): "cap_share",
    ("cap", "rounding"): "cap_rounding",
    ("cap", "applies_to"): "cap_applies_to",
    ("surveys", "min_n_eff"): "min_n_eff",
    ("surveys", "insufficient"): "insufficient",
    ("surveys", "level"): "level",
    ("feedback", "answer_within_days"): "answer_within_days",
    ("integrity", "exclude_flagged"): "exclude_flagged",
}


def _default_value(default, table, key):
    return getattr(default, _DEFAULT_NAMES[(table, key)])


def _differs(row, rule):
    if rule is None:
        return row["weight"] != 0
    return (row["group"], row["weight"], row["target"], row["key"]) != (
        rule.group,
        rule.weight,
        rule.target,
        rule.key,
    )
