"""The sign-in form, and the fields every form that makes an account shares (the commune
office's and the province office's): username, password typed twice, e-mail address."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from survey.accounts.officers import MIN_PASSWORD_LENGTH, USERNAME_PATTERN, username_taken
from survey.core.forms import OfficerForm

NOT_AN_EMAIL = _l(
    "This is not an e-mail address: write one like hoinongdan.hatam@gmail.com, or leave it empty."
)


def username_field():
    """A new account's username: letters without accents, digits, dots, dashes, underscores."""
    return StringField(
        _l("Username"),
        validators=[
            DataRequired(message=_l("Choose a username.")),
            Length(max=64),
            Regexp(
                USERNAME_PATTERN,
                message=_l("Use letters without accents, digits, dots, dashes or underscores."),
            ),
        ],
    )


def check_username_free(field):
    """No two accounts share a username, whatever the case and whatever the commune."""
    if field.data and username_taken(field.data.strip()):
        raise ValidationError(_l("This username is taken: choose another."))


def password_fields():
    """A password and the same typed again."""
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Type a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=256,
                message=_l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(message=_l("Type the password a second time.")),
            EqualTo("password", message=_l("The two passwords differ: type them again.")),
        ],
    )
    return password, confirm


class PasswordForm(OfficerForm):
    """A new password for an account, typed twice."""

    password, confirm = password_fields()


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
