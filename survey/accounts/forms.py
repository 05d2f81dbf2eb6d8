"""The sign-in form: the fields every sign-in posts."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from survey.core.forms import OfficerForm


class LoginForm(OfficerForm):
    """Sign-in with username and password: the fields `username` and `password`, as the
    contract names them (docs/contract.md)."""

    username = StringField(
        _l("Username"),
        validators=[DataRequired(message=_l("Enter your username.")), Length(max=64)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=256)],
    )
