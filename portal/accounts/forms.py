from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from . import passwords
from .services import InvalidEmail, validate_email


class ValidEmail:
    """The address check the users command makes too, so every address it accepts can log in."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        try:
            validate_email(field.data or "")
        except InvalidEmail as error:
            raise ValidationError(_l("Please enter a valid email address.")) from error


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Please enter your email address.")), ValidEmail()],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Please enter your password.")), Length(max=200)],
    )
    next = HiddenField()


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Please enter your current password.")), Length(max=200)],
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Please enter a new password.")), Length(max=200)],
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new_password", _l("The two new passwords are not the same."))],
    )

    def validate_new_password(self, field: Field) -> None:
        problem = passwords.problem(field.data)
        if problem:
            raise ValidationError(problem)
