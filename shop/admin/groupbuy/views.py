"""Admin 拼团: activities with their SKU group prices (deleted while nobody used them), the groups (filtered by status and activity), a group's
members and orders, and closing an expired group now."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...clock import utcnow
from ...errors import ServiceError
from ...groupbuy.models import GROUP_STATUSES
from ...pagination import requested_page
from ..fields import page_status, submit, to_id
from ..identity import current_staff
from . import services
from .forms import ActivityForm, price_texts, sku_prices

bp = Blueprint("groupbuy", __name__, url_prefix="/groupbuy")


@bp.get("")
def index():
    return render_template("admin/groupbuy/activities.html", page=services.list_activities(requested_page()))


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
def edit(activity_id=None):
    activity = services.get_activity(activity_id) if activity_id else None
    product_id = activity.product_id if activity else to_id(request.values.get("product_id"))
    if activity is None and not product_id:
        return render_template("admin/groupbuy/pick_product.html", products=services.product_choices())
    product = activity.product if activity else services.get_product(product_id)
    form = ActivityForm(activity)
    saved = submit(form, lambda: services.save_activity(form.values(product.id), sku_prices(request.form, product),
                                                        activity, current_staff))
    if saved.ok:
        flash(_("拼团活动「%(t)s」已保存", t=saved.value.title), "success")
        return redirect(url_for(".index"))
    return render_template("admin/groupbuy/form.html", form=form, activity=activity, product=product,
                           price=price_texts(activity, request.form)), page_status()


@bp.post("/<int:activity_id>/delete")
def delete(activity_id):
    activity = services.get_activity(activity_id)
    title = activity.title
    try:
        services.delete_activity(activity)
    except ServiceError as err:
        flash(err.message, "error")
    else:
        flash(_("拼团活动「%(t)s」已删除", t=title), "success")
    return redirect(url_for(".index"))


@bp.get("/groups")
def groups():
    status, activity_id = request.args.get("status") or None, to_id(request.args.get("activity"))
    return render_template("admin/groupbuy/groups.html", statuses=GROUP_STATUSES, status=status,
                           activity_id=activity_id, activities=services.list_activities(1).items,
                           page=services.list_groups(status, activity_id, requested_page()))


@bp.get("/groups/<int:group_id>")
def group(group_id):
    group = services.get_group(group_id)
    return render_template("admin/groupbuy/group.html", group=group, rows=services.group_orders(group.id),
                           expired=group.expires_at <= utcnow())


@bp.post("/groups/<int:group_id>/close")
def close(group_id):
    try:
        outcome = services.close_now(group_id)
    except ServiceError as err:
        flash(err.message, "error")
    else:
        flash(_("已结束拼团：%(s)s", s=GROUP_STATUSES[outcome]) if outcome else _("这个团已结束"), "success")
    return redirect(url_for(".group", group_id=group_id))
