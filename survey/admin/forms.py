"""Forms of the administration pages: users, villages, organizations, commune settings."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from analytics import RuleSet, criterion_codes, load_ruleset
from survey.accounts.forms import (
    NOT_AN_EMAIL,
    check_username_free,
    password_fields,
    username_field,
)
from survey.accounts.officers import EMAIL_LENGTH, binding_problem, is_email
from survey.commune.settings import public_base_url_problem
from survey.core.forms import OfficerForm, OfficerSubform, choices_of
from survey.models.vocabulary import COMMUNE_ROLES, ROLE_NAMES
from survey.responses.answer_rules import plain_number
from survey.surveys.forms import parse_number

CODE_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
# Larger than any count, order or threshold: typed only by mistake.
LARGEST_WHOLE_NUMBER = 10**12

BINDING_MESSAGES = {
    "organization required": _l("An organization officer needs an organization: choose one."),
    "village required": _l("A village officer needs a village: choose one."),
    "no organization": _l("Only an organization officer belongs to an organization: choose none."),
    "no village": _l("Only a village officer belongs to a village: choose none."),
}


class UserForm(OfficerForm):
    """An account's name, role and binding (organization or village)."""

    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(message=_l("Write the person's full name.")), Length(max=120)],
    )
    email = EmailField(_l("E-mail address"), validators=[Optional(), Length(max=EMAIL_LENGTH)])
    # A commune's office makes its own commune's accounts, never the province's.
    role = SelectField(
        _l("Role"), choices=[SelectChoice(role, ROLE_NAMES[role]) for role in COMMUNE_ROLES]
    )
    organization = SelectField(_l("Organization"), choices=[], validate_choice=True)
    unit = SelectField(_l("Village"), choices=[], validate_choice=True)

    def set_choices(self, organizations, villages):
        """Fill the organization and village lists ("" means none)."""
        none = SelectChoice("", _l("(none)"))
        self.organization.choices = [none, *(SelectChoice(o.code, o.name) for o in organizations)]
        self.unit.choices = [none, *(SelectChoice(u.code, u.name) for u in villages)]

    def validate_email(self, field):
        """Empty, or an address a message can be sent to."""
        if field.data and field.data.strip() and not is_email(field.data.strip()):
            raise ValidationError(NOT_AN_EMAIL)

    def validate_organization(self, field):
        """An organization for an organization officer, none for anyone else."""
        problem = binding_problem(self.role.data, field.data or None, self.unit.data or None)
        if problem in ("organization required", "no organization"):
            raise ValidationError(BINDING_MESSAGES[problem])

    def validate_unit(self, field):
        """A village for a village officer, none for anyone else."""
        problem = binding_problem(
            self.role.data, self.organization.data or None, field.data or None
        )
        if problem in ("village required", "no village"):
            raise ValidationError(BINDING_MESSAGES[problem])


class NewUserForm(UserForm):
    """A new account: username (unique) and its first password, typed twice."""

    username = username_field()
    password, confirm = password_fields()

    def validate_username(self, field):
        """No two accounts share a username, whatever the case."""
        check_username_free(field)


def _code_field():
    return StringField(
        _l("Code"),
        validators=[
            Optional(),
            Length(max=32),
            Regexp(
                CODE_PATTERN,
                message=_l("Use lowercase letters without accents, digits, - or _ (e.g. thon1)."),
            ),
        ],
    )


class WholeNumberField(IntegerField):
    """An integer field whose "not a number" message is the project's (and translated)."""

    def process_formdata(self, valuelist):
        """Read a whole number; anything else is an error that says what to write."""
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            self.data = None
            return
        try:
            value = int(text)
        except ValueError:
            self.data = None
            raise ValueError(_l("Write a whole number, without dots or spaces.")) from None
        if abs(value) > LARGEST_WHOLE_NUMBER:  # the range check cannot even compare it
            self.data = None
            raise ValueError(_l("This number is too large; check it."))
        self.data = value


def _count_field(label):
    return WholeNumberField(
        label,
        default=0,
        validators=[
            InputRequired(message=_l("Write a whole number (0 if unknown).")),
            NumberRange(min=0, max=10_000_000, message=_l("Write a whole number, 0 or more.")),
        ],
    )


class VillageForm(OfficerForm):
    """A village: code, name, adult population, households, order in lists."""

    code = _code_field()
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Write the village's name.")), Length(max=120)],
    )
    adult_population = _count_field(_l("Adult population"))
    households = _count_field(_l("Households"))
    position = _count_field(_l("Order in lists"))


class OrganizationForm(OfficerForm):
    """An organization: code, name, short name, order in lists, members."""

    code = _code_field()
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Write the organization's full name.")),
            Length(max=200),
        ],
    )
    short_name = StringField(
        _l("Short name"),
        validators=[DataRequired(message=_l("Write a short name.")), Length(max=80)],
    )
    position = _count_field(_l("Order in lists"))
    members_count = _count_field(_l("Number of members"))
    is_front = BooleanField(
        _l("This is the commune's Fatherland Front committee (it reviews the other organizations)")
    )
    leads_commendations = BooleanField(
        _l("It draws up the list of commendations (the resolution names the Youth Union)")
    )


URL_PROBLEMS = {
    "scheme": _l("The address must start with http:// or https://."),
    "host": _l("Write the full address, e.g. https://khaosat.example.gov.vn."),
    "query": _l("The address must not contain ? or #: write only the site's address."),
}


class SettingsForm(OfficerForm):
    """The commune's name, district, province, public address and suppression threshold."""

    COMMUNE_NAME = StringField(
        _l("Commune name"),
        validators=[DataRequired(message=_l("Write the commune's name.")), Length(max=120)],
    )
    DISTRICT_NAME = StringField(_l("District"), validators=[Optional(), Length(max=120)])
    PROVINCE_NAME = StringField(_l("Province"), validators=[Optional(), Length(max=120)])
    PUBLIC_BASE_URL = StringField(
        _l("Public address of the site"),
        validators=[DataRequired(message=_l("Write the site's address.")), Length(max=200)],
    )
    SUPPRESSION_K = WholeNumberField(
        _l("Smallest group shown"),
        validators=[
            InputRequired(message=_l("Write a whole number, 2 or more.")),
            NumberRange(min=2, max=1000, message=_l("Write a whole number, 2 or more.")),
        ],
    )

    def validate_PUBLIC_BASE_URL(self, field):  # noqa: N802 (named after the setting)
        """An http(s) address with a host and no query."""
        problem = public_base_url_problem((field.data or "").strip())
        if problem is not None:
            raise ValidationError(URL_PROBLEMS[problem])

    def values(self):
        """The settings as typed, trimmed."""
        return {
            "COMMUNE_NAME": self.COMMUNE_NAME.data.strip(),
            "DISTRICT_NAME": (self.DISTRICT_NAME.data or "").strip(),
            "PROVINCE_NAME": (self.PROVINCE_NAME.data or "").strip(),
            "PUBLIC_BASE_URL": self.PUBLIC_BASE_URL.data.strip().rstrip("/"),
            "SUPPRESSION_K": self.SUPPRESSION_K.data,
        }


class RulesForm(OfficerForm):
    """The commune's rule set override, as TOML (empty: the default rule set)."""

    rules = TextAreaField(
        _l("The commune's changes to the default rule set (TOML)"),
        validators=[Length(max=20000)],
    )


# --- the rule set as a form ----------------------------------------------------------------

GROUP_NAMES = {"general": _l("The organization's own work"), "results": _l("Results of the year")}
INSUFFICIENT_NAMES = {
    "renormalize": _l("leave it out and share its points among the others"),
    "zero": _l("count it as 0 points"),
}
LEVELS = {"0.9": "90%", "0.95": "95%", "0.99": "99%"}
CAP_ROUNDING_NAMES = {
    "down": _l("rounded down (the strict reading: 20 per cent of 4 is 0)"),
    "half_up": _l("rounded to the nearest (20 per cent of 3 is 1)"),
    "at_least_one": _l("rounded down, but at least one when any qualifies"),
}
CAP_GROUP_NAMES = {
    "commune": _l("the commune's own organizations"),
    "superior": _l(
        "the superior committee's wider group (it applies the limit; ours are proposals)"
    ),
}
NUMBER = _l("Write a number, e.g. 10 or 2,5.")


# The criteria table's column heads (the same words as the row's fields).
CRITERION_COLUMNS = {"weight": _l("Points"), "target": _l("Target (%)"), "key": _l("Key target")}


class CriterionRow(OfficerSubform):
    """One criterion's line: its code (hidden), group, points, target and key."""

    code = HiddenField()
    group = SelectField(_l("Group"), choices=choices_of(GROUP_NAMES))
    weight = StringField(CRITERION_COLUMNS["weight"])
    target = StringField(CRITERION_COLUMNS["target"])
    key = BooleanField(CRITERION_COLUMNS["key"])


class RuleSetForm(OfficerForm):
    """The numbers of the annual rating, each beside its check."""

    title = StringField(_l("Name of the rule set"), validators=[Length(max=200)])
    xuat_sac = StringField(_l("Excellent from (points)"))
    tot = StringField(_l("Good from (points)"))
    hoan_thanh = StringField(_l("Completed from (points)"))
    exceeded_share = StringField(_l("Excellent also needs this share of targets exceeded (%)"))
    cap_enabled = BooleanField(_l("Limit how many organizations can be excellent"))
    cap_share = StringField(_l("At most this share of those rated good or better (%)"))
    cap_rounding = SelectField(
        _l("The share as a number of organizations"), choices=choices_of(CAP_ROUNDING_NAMES)
    )
    cap_applies_to = SelectField(_l("Counted over"), choices=choices_of(CAP_GROUP_NAMES))
    answer_within_days = StringField(_l("Feedback answered in time within (days)"))
    min_n_eff = StringField(_l("Fewest effective answers for a survey criterion to count"))
    insufficient = SelectField(
        _l("A survey criterion with too few answers"), choices=choices_of(INSUFFICIENT_NAMES)
    )
    level = SelectField(_l("Confidence of the intervals"), choices=choices_of(LEVELS))
    exclude_flagged = BooleanField(_l("Leave out the responses the integrity checks flag"))
    criteria = FieldList(FormField(CriterionRow))
    weights_error = None  # "the points add up to ...", shown above the criteria

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
        self.cap_rounding.data, self.cap_applies_to.data = rules.cap_rounding, rules.cap_applies_to
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

    def tables(self):
        """The form's values as the rule set's tables (shares from 0 to 1)."""

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
                "rounding": self.cap_rounding.data,
                "applies_to": self.cap_applies_to.data,
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


def _plain(value):
    """A rule's number as officers write it (12, 2,5), without float noise (30.000000000000004)."""
    return plain_number(round(float(value), 4))
