"""Account forms (CSRF through Flask-WTF)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

PHONE = [DataRequired(_l("请输入手机号")), Regexp(r"^\s*(\+86)?1[3-9]\d{9}\s*$", message=_l("请输入正确的11位手机号"))]


class LoginForm(FlaskForm):
    phone = StringField(_l("手机号"), validators=PHONE)
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")), Length(max=64)])
    remember = BooleanField(_l("记住我"))


class SmsLoginForm(FlaskForm):
    phone = StringField(_l("手机号"), validators=PHONE)
    code = StringField(_l("验证码"), validators=[DataRequired(_l("请输入验证码")),
                                               Regexp(r"^\d{6}$", message=_l("验证码为6位数字"))])


class SendCodeForm(FlaskForm):
    phone = StringField(_l("手机号"), validators=PHONE)


class RegisterForm(FlaskForm):
    phone = StringField(_l("手机号"), validators=PHONE)
    nickname = StringField(_l("昵称"), validators=[Optional(), Length(max=40)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")),
                                                   Length(6, 64, message=_l("密码长度应为6到64位"))])
    confirm = PasswordField(_l("确认密码"), validators=[EqualTo("password", message=_l("两次输入的密码不一致"))])
    invite_code = StringField(_l("邀请码（选填）"), validators=[Optional(), Length(max=12)])


class AddressForm(FlaskForm):
    recipient = StringField(_l("收货人"), validators=[DataRequired(_l("请填写收货人")), Length(max=40)])
    phone = StringField(_l("手机号"), validators=PHONE)
    province = StringField(_l("省"), validators=[DataRequired(_l("请填写省份")), Length(max=40)])
    city = StringField(_l("市"), validators=[DataRequired(_l("请填写城市")), Length(max=40)])
    district = StringField(_l("区/县"), validators=[DataRequired(_l("请填写区县")), Length(max=40)])
    detail = StringField(_l("详细地址"), validators=[DataRequired(_l("请填写详细地址")), Length(max=200)])
    is_default = BooleanField(_l("设为默认地址"))


class ProfileForm(FlaskForm):
    nickname = StringField(_l("昵称"), validators=[Optional(), Length(max=40)])


class PasswordForm(FlaskForm):
    old_password = PasswordField(_l("原密码"), validators=[Optional(), Length(max=64)])
    password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码")),
                                                    Length(6, 64, message=_l("密码长度应为6到64位"))])
    confirm = PasswordField(_l("确认密码"), validators=[EqualTo("password", message=_l("两次输入的密码不一致"))])
