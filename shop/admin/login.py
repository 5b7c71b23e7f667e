"""Admin 登录 / 退出 at /admin/login and /admin/logout: the staff session (shop/staff/session.py), rate-limited
like the shopper's login, per address and per login name, with longer windows for refused logins per login name
(30 an hour, 100 a day: guessing one staff password is held to 100 tries a day)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..errors import ServiceError
from ..extensions import limiter
from ..staff import services
from ..staff import session as staff_session
from ..urls import safe_next
from .fields import strip


class StaffLoginForm(FlaskForm):
    login = StringField(_l("登录名"), filters=[strip], validators=[
        DataRequired(_l("请填写登录名")), Length(max=40, message=_l("登录名最多40字"))])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请填写密码"))])


def _login_key():
    """Rate-limit key: the login name being tried, whatever the client's address."""
    return "staff:" + (request.form.get("login") or "").strip()[:40]


def _refused(response):
    """Only a refused login counts against the longer windows (a staff member logging in often is no guess)."""
    return response.status_code != 302


@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("10 per minute", methods=["POST"], key_func=_login_key)
@limiter.limit("30 per hour;100 per day", methods=["POST"], key_func=_login_key, deduct_when=_refused)
def login():
    form = StaffLoginForm()
    if form.validate_on_submit():
        try:
            staff_session.start(services.log_in(form.login.data, form.password.data))
        except ServiceError as err:
            form.form_errors.append(err.message)
        else:
            return redirect(safe_next("admin.dashboard", prefix="/admin"))  # an /admin page only
    status = 400 if request.method == "POST" else 200
    return render_template("admin/login.html", form=form, next=request.values.get("next", "")), status


def logout():
    staff = staff_session.current()
    if staff.is_authenticated:
        services.log_out(staff)
    staff_session.end()
    flash(_("已退出商家后台"), "success")
    return redirect(url_for("admin.login"))
