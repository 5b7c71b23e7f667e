"""Member-facing distribution forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp


class ApplyForm(FlaskForm):
    real_name = StringField(_l("真实姓名"), validators=[DataRequired(_l("请填写真实姓名")), Length(max=40)])
    phone = StringField(_l("手机号"), validators=[DataRequired(_l("请输入手机号")),
                                               Regexp(r"^\s*(\+86)?1[3-9]\d{9}\s*$", message=_l("请输入正确的11位手机号"))])
