"""The forms of the year's steps: the self-assessment, the review and the decision."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from analytics import tier_label
from survey.core.forms import OfficerForm, choices_of
from survey.models.vocabulary import COMMENDATION_GROUND_NAMES, TIERS

TEXT = [Length(max=5000)]


def tier_choices(with_none=False):
    """The four tiers by their labels (analytics' words), the best first."""
    choices = [(tier, tier_label(tier)) for tier in TIERS]
    return [("", _l("— not proposed —")), *choices] if with_none else choices


class SelfAssessmentForm(OfficerForm):
    """An organization's own review of its year, in the shape of HD 43's self-review form."""

    strengths = TextAreaField(_l("Strengths and results"), validators=TEXT)
    limitations = TextAreaField(_l("Limitations and shortcomings"), validators=TEXT)
    causes = TextAreaField(_l("Their causes"), validators=TEXT)
    remedies = TextAreaField(_l("How they will be remedied"), validators=TEXT)
    proposed_tier = SelectField(_l("The tier the organization proposes for itself"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposed_tier.choices = tier_choices(with_none=True)


class ReviewForm(OfficerForm):
    """The review's comments on an organization's year."""

    review = TextAreaField(_l("Review comments"), validators=[Length(min=1, max=5000)])


class DecisionForm(OfficerForm):
    """The Standing Committee's decision on an organization's tier."""

    tier = SelectField(_l("Tier decided"))
    reason = TextAreaField(
        _l("Reason (needed when the tier differs from the computed one)"),
        validators=[Length(max=2000)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = tier_choices()


class HeadForm(OfficerForm):
    """A head or deputy of an organization: a name and a position, nothing else."""

    name = StringField(
        _l("Full name"),
        validators=[DataRequired(message=_l("Write the person's full name.")), Length(max=120)],
    )
    position = StringField(
        _l("Position"),
        validators=[
            DataRequired(message=_l("Write the position, e.g. Chủ tịch.")),
            Length(max=120),
        ],
    )


class HeadDecisionForm(OfficerForm):
    """The committee's decision on a head's tier."""

    tier = SelectField(_l("Tier decided"))
    reason = TextAreaField(
        _l("Reason (needed above the organization's tier)"), validators=[Length(max=2000)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = tier_choices()


class CommendationForm(OfficerForm):
    """An entry of the year's list of commendations."""

    organization = SelectField(_l("Organization"))
    head_name = StringField(
        _l("A head or deputy, by full name (empty: the organization)"),
        validators=[Length(max=120)],
    )
    ground = SelectField(_l("Ground"), choices=choices_of(COMMENDATION_GROUND_NAMES))
    note = TextAreaField(_l("Achievements and evidence"), validators=[Length(max=2000)])
