"""拼团 in the shop: on to checkout to open or join a group, a group's page (shared with a referral) and the
member's 我的拼团."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..center.masking import mask_name
from ..errors import ServiceError
from . import services

bp = Blueprint("groupbuy", __name__)


@bp.post("/groupbuy/<int:activity_id>/buy")
def buy(activity_id):
    """发起拼团 / 去参团 from the product or group page: on to checkout with the activity (and the group)."""
    sku_id = request.form.get("sku_id", type=int)
    if not sku_id:
        raise ServiceError(_("请选择商品规格"))
    group = request.form.get("group") or request.args.get("group") or None
    return redirect(url_for("orders.checkout", sku_id=sku_id, quantity=request.form.get("quantity", 1, type=int),
                            activity="group", activity_id=activity_id, group=group)), 303


@bp.get("/g/<group_no>")
def group(group_no):
    group = services.get_group(group_no)
    viewer = current_user.id if current_user.is_authenticated else None
    return render_template("groupbuy/group.html", group=group, activity=group.activity, mask_name=mask_name,
                           refusal=services.joinable_refusal(group, viewer),
                           member=viewer is not None and services.is_member(group.id, viewer))


@bp.get("/me/groups")
@login_required
def mine():
    return render_template("groupbuy/mine.html", intents=services.my_groups(current_user))
