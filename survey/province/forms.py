"""The province office's forms: a new commune, a commune's administrator's account."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from survey.accounts.forms import (
    NOT_AN_EMAIL,
    check_username_free,
    password_fields,
    username_field,
)
from survey.accounts.officers import EMAIL_LENGTH, is_email
from survey.core.forms import OfficerForm
from survey.province.communes import commune_or_none

MERGED_FROM_LENGTH = 2000


class CommuneForm(OfficerForm):
    """A new commune: its code (in addresses and commands), name, province, national code and
    the communes it was merged from (one per line)."""

    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(message=_l("Choose a short code, e.g. ia_pa.")),
            Length(max=32, message=_l("At most 32 characters.")),
            Regexp(
                r"^[a-z0-9][a-z0-9_-]*$",
                message=_l("Use lowercase letters without accents, digits, - or _ (e.g. ia_pa)."),
            ),
        ],
    )
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Write the commune's name, e.g. xã Ia Pa.")),
            Length(max=120),
        ],
    )
    province = StringField(_l("Province"), validators=[Optional(), Length(max=120)])
    national_code = StringField(
        _l("National administrative code"), validators=[Optional(), Length(max=16)]
    )
    merged_from = TextAreaField(
        _l("Merged from"), validators=[Optional(), Length(max=MERGED_FROM_LENGTH)]
    )

    def validate_code(self, field):
        """No two communes share a code."""
        if field.data and commune_or_none(field.data.strip()) is not None:
            raise ValidationError(_l("Another commune already has this code: choose another."))

    def merged(self) -> list[str]:
        """The communes it was merged from, one per line, without empty lines."""
        lines = (self.merged_from.data or "").splitlines()
        return [line.strip() for line in lines if line.strip()]


class AdminForm(OfficerForm):
    """A commune's administrator's new account: username, name, address, first password."""

    username = username_field()
    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(message=_l("Write the person's full name.")), Length(max=120)],
    )
    email = EmailField(_l("E-mail address"), validators=[Optional(), Length(max=EMAIL_LENGTH)])
    password, confirm = password_fields()

    def validate_username(self, field):
        check_username_free(field)

    def validate_email(self, field):
        """Empty, or an address a message can be sent to."""
        if field.data and field.data.strip() and not is_email(field.data.strip()):
            raise ValidationError(NOT_AN_EMAIL)
