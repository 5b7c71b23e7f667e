"""Admin 门店: the store list with figures, a store's page (clerks, photos, members, sales), the store form."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...errors import ServiceError
from ...pagination import requested_page
from ..fields import page_status, submit, to_id
from . import services
from .forms import ClerkForm, PhotoForm, StoreForm

bp = Blueprint("stores", __name__, url_prefix="/stores")


@bp.get("")
def index():
    sort = services.SORTING.choose(request.args)
    stores = services.store_page(request.args, sort, requested_page())
    return render_template("admin/stores/list.html", stores=stores, sort=sort, cities=services.store_cities(),
                           figures=services.store_figures([s.id for s in stores.items]))


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:store_id>/edit", methods=["GET", "POST"])
def edit(store_id=None):
    store = services.get_store(store_id) if store_id else None
    form = StoreForm(store)
    done = submit(form, lambda: services.save_store(form.store_data(), store))
    if done.ok:
        flash(_("门店「%(name)s」已保存", name=done.value.name), "success")
        return redirect(url_for(".detail", store_id=done.value.id))
    return render_template("admin/stores/form.html", form=form, store=store), page_status()


@bp.get("/<int:store_id>")
def detail(store_id):
    store = services.get_store(store_id)
    return render_template("admin/stores/detail.html", store=store, clerk_form=ClerkForm(), photo_form=PhotoForm(),
                           figures=services.store_figures([store.id])[store.id],
                           members=services.members_page(store, requested_page()))


def _done(store_id, action, message):
    """Run one service call for the store page's small forms: flash its refusal or `message`, back to the page."""
    try:
        action(services.get_store(store_id))
    except ServiceError as err:
        flash(err.message, "error")
    else:
        flash(message, "success")
    return redirect(url_for(".detail", store_id=store_id))


@bp.post("/<int:store_id>/clerks")
def add_clerk(store_id):
    return _done(store_id, lambda s: services.add_clerk(s, ClerkForm().phone.data), _("店员已添加"))


@bp.post("/<int:store_id>/clerks/<int:user_id>/remove")
def remove_clerk(store_id, user_id):
    return _done(store_id, lambda s: services.remove_clerk(s, user_id), _("已取消店员身份"))


@bp.post("/<int:store_id>/photos")
def add_photo(store_id):
    return _done(store_id, lambda s: services.add_photo(s, PhotoForm().photo.data), _("照片已上传"))


@bp.post("/<int:store_id>/photos/remove")
def remove_photo(store_id):
    return _done(store_id, lambda s: services.remove_photo(s, to_id(request.form.get("index"))), _("照片已删除"))
