"""Admin 分类: the two-level category tree."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...errors import ServiceError
from ..fields import page_status, submit
from . import services
from .forms import CategoryForm

bp = Blueprint("categories", __name__, url_prefix="/categories")


@bp.get("")
def index():
    return render_template("admin/categories/list.html", tree=services.category_tree())


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:category_id>/edit", methods=["GET", "POST"])
def edit(category_id=None):
    category = services.get_category(category_id) if category_id else None
    form = CategoryForm(category)
    if submit(form, lambda: services.save_category(form.data, category)).ok:
        flash(_("分类「%(name)s」已保存", name=form.name.data), "success")
        return redirect(url_for(".index"))
    return render_template("admin/categories/form.html", form=form, category=category), page_status()


@bp.post("/<int:category_id>/delete")
def delete(category_id):
    category = services.get_category(category_id)
    name = category.name
    try:
        services.delete_category(category)
    except ServiceError as err:
        flash(err.message, "error")
    else:
        flash(_("分类「%(name)s」已删除", name=name), "success")
    return redirect(url_for(".index"))
