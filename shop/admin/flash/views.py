"""Admin 秒杀: slots, their items and figures."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...clock import utcnow
from ...errors import ServiceError
from ...pagination import requested_page
from ..fields import page_status, submit, to_id
from . import services
from .forms import ItemForm, SlotForm

bp = Blueprint("flash", __name__, url_prefix="/flash")


@bp.get("")
def index():
    slots = services.slot_page(requested_page())
    figures = services.slot_figures([s.id for s in slots.items])
    return render_template("admin/flash/list.html", slots=slots, figures=figures, now=utcnow())


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:slot_id>/edit", methods=["GET", "POST"])
def edit(slot_id=None):
    slot = services.get_slot(slot_id) if slot_id else None
    form = SlotForm(slot)
    done = submit(form, lambda: services.save_slot(form.data, slot))
    if done.ok:
        flash(_("场次「%(title)s」已保存", title=done.value.title), "success")
        return redirect(url_for(".slot", slot_id=done.value.id))
    return render_template("admin/flash/slot_form.html", form=form, slot=slot), page_status()


@bp.get("/<int:slot_id>")
def slot(slot_id):
    slot = services.get_slot(slot_id)
    return render_template("admin/flash/slot.html", slot=slot, figures=services.item_figures(slot),
                           now=utcnow())


@bp.post("/<int:slot_id>/delete")
def delete(slot_id):
    slot = services.get_slot(slot_id)
    title = slot.title
    try:
        services.delete_slot(slot)
    except ServiceError as err:
        flash(err.message, "error")
        return redirect(url_for(".slot", slot_id=slot_id))
    flash(_("场次「%(title)s」已删除", title=title), "success")
    return redirect(url_for(".index"))


@bp.route("/<int:slot_id>/items/new", methods=["GET", "POST"])
@bp.route("/<int:slot_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
def item(slot_id, item_id=None):
    slot = services.get_slot(slot_id)
    item = services.get_item(slot, item_id) if item_id else None
    form = ItemForm(item, sku_id=to_id(request.args.get("sku_id")))
    if submit(form, lambda: services.save_item(slot, form.data, item)).ok:
        flash(_("秒杀商品已保存"), "success")
        return redirect(url_for(".slot", slot_id=slot.id))
    q = request.args.get("q", "")
    return render_template("admin/flash/item_form.html", form=form, slot=slot, item=item, q=q,
                           found=services.search_skus(q)), page_status()


@bp.post("/<int:slot_id>/items/<int:item_id>/delete")
def delete_item(slot_id, item_id):
    slot = services.get_slot(slot_id)
    item = services.get_item(slot, item_id)
    try:
        services.delete_item(item)
    except ServiceError as err:
        flash(err.message, "error")
    else:
        flash(_("已从场次移除"), "success")
    return redirect(url_for(".slot", slot_id=slot.id))
