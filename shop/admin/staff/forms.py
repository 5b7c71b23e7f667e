"""Admin staff forms: a new staff member, a staff member's name and role, a new password."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from ...staff.models import ROLES
from ..fields import strip

PASSWORD_HINT = _l("至少 8 位")


def _role_field():
    # validate_choice=False: the service refuses an unknown role in our own words.
    return SelectField(_l("角色"), choices=lambda: list(ROLES.items()), validate_choice=False,
                       validators=[DataRequired(_l("请选择角色"))])


class StaffForm(FlaskForm):
    display_name = StringField(_l("姓名"), filters=[strip], validators=[Length(max=40, message=_l("姓名最多40字"))])
    role = _role_field()


class NewStaffForm(StaffForm):
    login = StringField(_l("登录名"), filters=[strip], validators=[
        DataRequired(_l("请填写登录名")), Length(max=40, message=_l("登录名最多40字")),
        Regexp(r"^[A-Za-z0-9_.@-]+$", message=_l("登录名只能用字母、数字和 _ . @ -"))])
    password = PasswordField(_l("初始密码"), validators=[DataRequired(_l("请填写密码"))], description=PASSWORD_HINT)


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请填写密码"))], description=PASSWORD_HINT)
