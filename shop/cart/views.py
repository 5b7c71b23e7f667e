"""The cart page and its actions."""
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..converters import whole_number
from ..errors import ServiceError
from . import services

bp = Blueprint("cart", __name__, url_prefix="/cart")


def _sku_id(name="sku_id"):
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        raise ServiceError(_("请选择商品规格"))


def _wants_json():
    return request.accept_mimetypes.best == "application/json"


@bp.get("")
def view():
    lines = services.load_cart(current_user)
    selected = [ln for ln in lines if ln.selected and ln.available]
    total = sum(ln.line_total_fen for ln in selected)
    return render_template("cart/cart.html", lines=lines, selected_total=total,
                           selected_count=sum(ln.quantity for ln in selected))


@bp.post("/add")
def add():
    try:
        services.add_to_cart(current_user, _sku_id(), request.form.get("quantity", "1"))
    except ServiceError as err:
        if _wants_json():
            return jsonify(ok=False, message=err.message), err.status
        flash(err.message, "error")
        return redirect(request.referrer or url_for(".view")), 303
    count = services.cart_count(current_user)
    if _wants_json():
        return jsonify(ok=True, message=_("已加入购物车"), count=count)
    flash(_("已加入购物车"), "success")
    return redirect(url_for(".view"))


@bp.post("/update")
def update():
    try:
        selected = request.form.get("selected")
        services.update_line(current_user, _sku_id(), request.form.get("quantity"),
                             None if selected is None else selected == "1")
    except ServiceError as err:
        if err.status == 404:
            raise
        flash(err.message, "error")
    return redirect(url_for(".view"))


@bp.post("/select-all")
def select_all():
    services.select_all(current_user, request.form.get("selected") == "1")
    return redirect(url_for(".view"))


@bp.post("/remove")
def remove():
    ids = [i for i in map(whole_number, request.form.getlist("sku_id")) if i is not None]
    services.remove_lines(current_user, ids)
    return redirect(url_for(".view"))
