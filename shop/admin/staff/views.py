"""Admin 员工 (owner only): the staff list, a new staff member, a member's name and role, a password reset,
disable / enable. Changing a password or disabling ends that staff member's sessions."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...errors import ServiceError
from ...staff import services
from ..fields import page_status, submit
from ..identity import current_staff
from .forms import NewStaffForm, PasswordResetForm, StaffForm
from .services import SORTING, staff_rows

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("")
def index():
    sort = SORTING.choose(request.args)
    return render_template("admin/staff/list.html", rows=staff_rows(sort), sort=sort)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = NewStaffForm()
    sent = submit(form, lambda: services.create_staff(form.login.data, form.display_name.data, form.password.data,
                                                       form.role.data))
    if sent.ok:
        flash(_("员工「%(name)s」已创建", name=sent.value.display_name), "success")
        return redirect(url_for(".index"))
    return render_template("admin/staff/form.html", form=form, member=None), page_status()


@bp.route("/<int:staff_id>/edit", methods=["GET", "POST"])
def edit(staff_id):
    member = services.get_staff(staff_id)
    form = StaffForm(obj=member)
    if submit(form, lambda: services.update_staff(member, form.display_name.data, form.role.data,
                                                  current_staff)).ok:
        flash(_("员工「%(name)s」已保存", name=member.display_name), "success")
        return redirect(url_for(".index"))
    return _edit_page(member, form), page_status()


@bp.post("/<int:staff_id>/password")
def password(staff_id):
    member, form = services.get_staff(staff_id), PasswordResetForm()
    if submit(form, lambda: services.reset_password(member, form.password.data)).ok:
        flash(_("已为「%(name)s」设置新密码，其已登录的会话全部失效", name=member.display_name), "success")
        return redirect(url_for(".index"))
    return _edit_page(member, StaffForm(obj=member), form), 400


@bp.post("/<int:staff_id>/disabled")
def disabled(staff_id):
    member, disable = services.get_staff(staff_id), request.form.get("disabled") == "1"
    try:
        services.set_disabled(member, disable, current_staff)
    except ServiceError as err:
        flash(err.message, "error")
    else:
        done = _("已停用「%(name)s」，其会话全部失效") if disable else _("已启用「%(name)s」")
        flash(done % {"name": member.display_name}, "success")
    return redirect(url_for(".index"))


def _edit_page(member, form, password_form=None):
    return render_template("admin/staff/form.html", form=form, member=member,
                           password_form=password_form or PasswordResetForm(formdata=None))
