"""The rule set as a form: each criterion with its name, group, points, target and whether it is
key; the tier thresholds, the cap, the survey thresholds, the answer window. What the office
changes is kept as the commune's TOML override (only what differs from the default, the
[year.YYYY] tables it already held untouched), so analytics checks it as it checks any other.
"""

import tomllib

import tomli_w
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import Length

from analytics import RuleSet, criterion_codes, load_ruleset
from survey.core.forms import OfficerForm, OfficerSubform
from survey.surveys.forms import parse_number

GROUP_NAMES = {"general": _l("The organization's own work"), "results": _l("Results of the year")}
INSUFFICIENT_NAMES = {
    "renormalize": _l("leave it out and share its points among the others"),
    "zero": _l("count it as 0 points"),
}
LEVELS = {"0.9": "90%", "0.95": "95%", "0.99": "99%"}
NUMBER = _l("Write a number, e.g. 10 or 2,5.")


def _choices(names):
    return [SelectChoice(value, label) for value, label in names.items()]


def _number_field(label, **kwargs):
    return StringField(label, **kwargs)


class CriterionRow(OfficerSubform):
    """One criterion's line: its code (hidden), group, points, target and key."""

    code = HiddenField()
    group = SelectField(_l("Group"), choices=_choices(GROUP_NAMES))
    weight = _number_field(_l("Points"))
    target = _number_field(_l("Target (%)"))
    key = BooleanField(_l("Key target"))


class RuleSetForm(OfficerForm):
    """The numbers of the annual rating, each beside its check."""

    title = StringField(_l("Name of the rule set"), validators=[Length(max=200)])
    xuat_sac = _number_field(_l("Excellent from (points)"))
    tot = _number_field(_l("Good from (points)"))
    hoan_thanh = _number_field(_l("Completed from (points)"))
    exceeded_share = _number_field(_l("Excellent also needs this share of targets exceeded (%)"))
    cap_enabled = BooleanField(_l("Limit how many organizations can be excellent"))
    cap_share = _number_field(_l("At most this share of those rated good or better (%)"))
    answer_within_days = _number_field(_l("Feedback answered in time within (days)"))
    min_n_eff = _number_field(_l("Fewest effective answers for a survey criterion to count"))
    insufficient = SelectField(
        _l("A survey criterion with too few answers"), choices=_choices(INSUFFICIENT_NAMES)
    )
    level = SelectField(_l("Confidence of the intervals"), choices=_choices(LEVELS))
    exclude_flagged = BooleanField(_l("Leave out the responses the integrity checks flag"))
    criteria = FieldList(FormField(CriterionRow))

    def fill_from(self, rules: RuleSet):
        """The rule set in force, every criterion listed (those at 0 points too)."""
        self.title.data = rules.title
        self.xuat_sac.data, self.tot.data = _plain(rules.xuat_sac), _plain(rules.tot)
        self.hoan_thanh.data = _plain(rules.hoan_thanh)
        self.exceeded_share.data = _plain(100 * rules.xuat_sac_exceeded_share)
        self.cap_enabled.data, self.cap_share.data = (
            rules.cap_enabled,
            _plain(100 * rules.cap_share),
        )
        self.answer_within_days.data = str(rules.answer_within_days)
        self.min_n_eff.data = _plain(rules.min_n_eff)
        self.insufficient.data, self.level.data = rules.insufficient, str(rules.level)
        self.exclude_flagged.data = rules.exclude_flagged
        weighed = {c.code: c for c in rules.criteria}
        default = {c.code: c for c in load_ruleset(rules.year, None).criteria}
        for code in criterion_codes():
            rule = weighed.get(code) or default.get(code)
            self.criteria.append_entry(
                {
                    "code": code,
                    "group": rule.group if rule else "results",
                    "weight": _plain(rule.weight) if code in weighed else "0",
                    "target": _plain(100 * rule.target) if rule else "100",
                    "key": bool(rule and rule.key),
                }
            )

    def validate(self, extra_validators=None):
        """Numbers where numbers go, weights summing to 100, thresholds in order."""
        valid = super().validate(extra_validators)
        numbers = {}
        for field in self._number_fields():
            try:
                numbers[field] = parse_number(field.data)
            except ValueError:
                numbers[field] = None
            if numbers[field] is None:
                field.errors = [*field.errors, NUMBER]
        if any(value is None for value in numbers.values()):
            return False
        total = sum(numbers[row.form.weight] for row in self.criteria)
        if abs(total - 100) > 1e-9:
            self.weights_error = _l(
                "The points add up to %(total)s; they must add up to 100.", total=_plain(total)
            )
            return False
        low, mid, high = (numbers[f] for f in (self.hoan_thanh, self.tot, self.xuat_sac))
        if not 0 < low < mid < high <= 100:
            self.tot.errors = [
                *self.tot.errors,
                _l("Completed < good < excellent, all from 1 to 100 points."),
            ]
            return False
        return valid

    weights_error = None

    def _number_fields(self):
        fields = [
            self.xuat_sac,
            self.tot,
            self.hoan_thanh,
            self.exceeded_share,
            self.cap_share,
            self.answer_within_days,
            self.min_n_eff,
        ]
        for row in self.criteria:
            fields += [row.form.weight, row.form.target]
        return fields

    def override_text(self, saved_text, year):
        """The commune's override with this form's values: what differs from the default."""
        saved = tomllib.loads(saved_text) if saved_text else {}
        default = load_ruleset(year, None)
        wanted = self._as_tables()
        override = {key: saved[key] for key in ("name", "year") if key in saved}
        if wanted["title"] != default.title:
            override["title"] = wanted["title"]
        for table, values in wanted.items():
            if table in ("title", "criteria"):
                continue
            changed = {k: v for k, v in values.items() if v != _default_value(default, table, k)}
            if changed:
                override[table] = changed
        default_criteria = {c.code: c for c in default.criteria}
        criteria = [
            row for row in wanted["criteria"] if _differs(row, default_criteria.get(row["code"]))
        ]
        if criteria:
            override["criteria"] = criteria
        return tomli_w.dumps(override)

    def _as_tables(self):
        def number(field):
            value = parse_number(field.data)
            return int(value) if float(value).is_integer() else float(value)

        def share(field):
            return round(float(parse_number(field.data)) / 100, 6)

        return {
            "title": (self.title.data or "").strip(),
            "tiers": {
                "xuat_sac": number(self.xuat_sac),
                "tot": number(self.tot),
                "hoan_thanh": number(self.hoan_thanh),
                "xuat_sac_exceeded_share": share(self.exceeded_share),
            },
            "cap": {
                "enabled": bool(self.cap_enabled.data),
                "xuat_sac_share": share(self.cap_share),
            },
            "surveys": {
                "min_n_eff": number(self.min_n_eff),
                "insufficient": self.insufficient.data,
                "level": float(self.level.data),
            },
            "feedback": {"answer_within_days": number(self.answer_within_days)},
            "integrity": {"exclude_flagged": bool(self.exclude_flagged.data)},
            "criteria": [
                {
                    "code": row.form.code.data,
                    "group": row.form.group.data,
                    "weight": number(row.form.weight),
                    "target": share(row.form.target),
                    "key": bool(row.form.key.data),
                }
                for row in self.criteria
            ],
        }


_DEFAULT_NAMES = {
    ("tiers", "xuat_sac"): "xuat_sac",
    ("tiers", "tot"): "tot",
    ("tiers", "hoan_thanh"): "hoan_thanh",
    ("tiers", "xuat_sac_exceeded_share"): "xuat_sac_exceeded_share",
    ("cap", "enabled"): "cap_enabled",
    ("cap", "xuat_sac_share"): "cap_share",
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


def _plain(value):
    """12.0 -> "12", 2.5 -> "2,5" (as officers write numbers)."""
    value = round(float(value), 4)
    return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
