"""The commune's rule set: analytics' default, overridden by the Party Committee Office.

The override is TOML (analytics.rules). The office edits it under Administration, where it is
saved in the Setting table, so every worker and host uses the same rules; a deployment may
instead put it in instance/rules.toml, which applies only while nothing is saved.
"""

import os
import tomllib

import sqlalchemy as sa
import tomli_w
from flask import current_app

from analytics import RuleSet, load_ruleset
from survey.audit import trail
from survey.core.extensions import db
from survey.models import Setting
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


def commune_rules(year: int) -> RuleSet:
    """The checked rule set for `year` (raises AnalyticsError when the override is wrong)."""
    return load_ruleset(year, saved_override())


def check_override(text: str, year: int) -> RuleSet:
    """Check `text` for `year` and for every [year.YYYY] table it holds; the rules for `year`."""
    rules = load_ruleset(year, text or None)
    try:
        years = tomllib.loads(text).get("year", {}) if text else {}
    except tomllib.TOMLDecodeError:  # load_ruleset has already refused it
        years = {}
    for other in years if isinstance(years, dict) else ():
        other_year = small_whole_number(str(other))
        if other_year is not None:
            load_ruleset(other_year, text)
    return rules


def save_override(text: str, year: int) -> bool:
    """Check and save the override (empty: back to the default); audit it. True if changed."""
    text = text.replace("\r\n", "\n").strip()
    check_override(text, year)
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


def override_from(tables: dict, saved_text: str, year: int) -> str:
    """The commune's override TOML holding `tables` (the rule set form's values): only what
    differs from the default, with the name and the [year.YYYY] tables already saved kept."""
    saved = tomllib.loads(saved_text) if saved_text else {}
    default = load_ruleset(year, None)
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
