"""Login (and where a signed-out visitor is sent to it), registration, SMS codes, 我的 and the address book."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..csrf_token import rotate_csrf_token
from ..distribution import binding
from ..errors import ServiceError
from ..extensions import limiter, login_manager
from ..growth.web import seen
from ..orders.services import status_counts
from ..urls import safe_next, safe_next_url
from . import lockout, services, sessions, signin
from .forms import AddressForm, LoginForm, PasswordForm, ProfileForm, RegisterForm, SendCodeForm, SmsLoginForm

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = None


@login_manager.unauthorized_handler
def ask_to_log_in():
    """To the login page, and back afterwards: to this page for a GET. A form posted while signed out (a coupon
    claimed on a cached product page) goes back to the page it was posted from (its `next` field, else the
    Referer on this site, else home): its own address only takes a POST."""
    if request.method == "GET":
        back = request.full_path.rstrip("?")
    else:
        referrer = urlsplit(request.referrer or "")
        page = referrer.path + (f"?{referrer.query}" if referrer.query else "") if referrer.netloc == request.host \
            else None
        back = safe_next_url(request.form.get("next"), None) or safe_next_url(page, None) or url_for("main.home")
    return redirect(url_for(login_manager.login_view, next=back))


@login_manager.user_loader
def load_user(user_id):
    return sessions.load(user_id)


def _phone_key():
    """Rate-limit key: the phone number being tried, however it is written, whatever the client's address."""
    raw = request.form.get("phone") or ""
    return "phone:" + (lockout.phone_key(raw) or raw.strip()[:20])


def logged_in(user, remember=False):
    """After a sign-in use case committed: the referral it used is spent; log the member in, send them on."""
    binding.take_referral()
    login_user(user, remember=remember)
    rotate_csrf_token()
    return redirect(safe_next("main.home"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("10 per minute", methods=["POST"], key_func=_phone_key)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = signin.log_in(form.phone.data, form.password.data, binding.remembered_referral(), seen())
        except ServiceError as err:
            flash(err.message, "error")
        else:
            return logged_in(user, form.remember.data)
    return render_template("accounts/login.html", form=form, sms_form=SmsLoginForm(), send_form=SendCodeForm())


@bp.route("/login/sms", methods=["POST"])
@limiter.limit("20 per minute")
@limiter.limit("10 per minute", key_func=_phone_key)
def login_sms():
    sms_form = SmsLoginForm()
    if sms_form.validate_on_submit():
        try:
            user = signin.log_in_with_code(sms_form.phone.data, sms_form.code.data, binding.remembered_referral(),
                                            seen())
        except ServiceError as err:
            flash(err.message, "error")
        else:
            return logged_in(user)
    return render_template("accounts/login.html", form=LoginForm(), sms_form=sms_form, send_form=SendCodeForm(),
                           tab="sms"), 400


@bp.post("/sms/send")
@limiter.limit("5 per minute;30 per day")
def send_code():
    form = SendCodeForm()
    if not form.validate_on_submit():
        return {"ok": False, "message": _("请输入正确的11位手机号")}, 400
    try:
        services.send_login_code(form.phone.data, ip=request.remote_addr)
    except ServiceError as err:
        return {"ok": False, "message": err.message}, err.status
    return {"ok": True, "message": _("验证码已发送")}


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = signin.sign_up(form.phone.data, form.password.data, form.nickname.data,
                                  invite_code=form.invite_code.data, referral=binding.remembered_referral(), seen=seen())
        except ServiceError as err:
            flash(err.message, "error")
        else:
            flash(_("注册成功，欢迎光临"), "success")
            return logged_in(user)
    return render_template("accounts/register.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        sessions.log_out(current_user)
    logout_user()
    return redirect(url_for("main.home"))


@bp.get("/me")
@login_required
def me():
    return render_template("accounts/me.html", counts=status_counts(current_user))


@bp.route("/me/account", methods=["GET", "POST"])
@login_required
def account():
    profile, password = ProfileForm(prefix="p", obj=current_user), PasswordForm(prefix="w")
    if request.method == "POST" and request.form.get("form") == "profile" and profile.validate():
        services.update_profile(current_user, profile.nickname.data)
        flash(_("已保存"), "success")
        return redirect(url_for(".account"))
    if request.method == "POST" and request.form.get("form") == "password" and password.validate():
        try:
            services.change_password(current_user, password.old_password.data, password.password.data)
        except ServiceError as err:
            flash(err.message, "error")
        else:
            sessions.renew(current_user)
            flash(_("密码已修改"), "success")
            return redirect(url_for(".account"))
    return render_template("accounts/account.html", profile=profile, password=password)


@bp.get("/me/addresses")
@login_required
def addresses():
    back = safe_next_url(request.args.get("next"), None)  # the checkout to return to when picking an address
    return render_template("accounts/addresses.html", addresses=services.list_addresses(current_user),
                           pick=request.args.get("pick"), back=back)


@bp.route("/me/addresses/new", methods=["GET", "POST"])
@bp.route("/me/addresses/<int:address_id>/edit", methods=["GET", "POST"])
@login_required
def edit_address(address_id=None):
    address = services.get_address(current_user, address_id) if address_id else None
    form = AddressForm(obj=address)
    if form.validate_on_submit():
        try:
            services.save_address(current_user, form.data, address, make_default=form.is_default.data)
        except ServiceError as err:
            flash(err.message, "error")
        else:
            flash(_("地址已保存"), "success")
            return redirect(safe_next("accounts.addresses"))
    return render_template("accounts/address_form.html", form=form, address=address)


@bp.post("/me/addresses/<int:address_id>/delete")
@login_required
def delete_address(address_id):
    services.delete_address(current_user, services.get_address(current_user, address_id))
    flash(_("地址已删除"), "success")
    return redirect(url_for(".addresses"))


@bp.post("/me/addresses/<int:address_id>/default")
@login_required
def default_address(address_id):
    services.set_default_address(current_user, services.get_address(current_user, address_id))
    return redirect(safe_next("accounts.addresses"))

