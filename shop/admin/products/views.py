"""Admin 商品: the product list, the product form with SKUs and images, on/off the shelf, the product's commission
and its promotion materials (推广素材)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...pagination import requested_page
from ...urls import safe_next, to_id
from ..categories.services import category_choices
from ..fields import page_status, submit
from ..identity import current_staff
from . import services
from .forms import ProductCommissionForm, ProductForm, PromoMaterialForm

bp = Blueprint("products", __name__, url_prefix="/products")


@bp.url_value_preprocessor
def allow_several_images(endpoint, values):
    # The app-wide request limit fits one image; staff may send several in one product form. This hook
    # runs before every before_request (CSRFProtect reads the body in one), so the limit is raised in time.
    if current_staff.is_authenticated:
        request.max_content_length = services.upload_request_limit()


@bp.get("")
def index():
    filters = {"q": request.args.get("q", "")[:50], "category_id": to_id(request.args.get("cid")),
               "shelf": request.args.get("shelf"), "sort": services.SORTING.choose(request.args)}
    products = services.merchant_products(page=requested_page(), **filters)
    return render_template("admin/products/list.html", products=products, filters=filters, sort=filters["sort"],
                           categories=category_choices(_("全部分类")))


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:product_id>/edit", methods=["GET", "POST"])
def edit(product_id=None):
    product = services.get_product(product_id) if product_id else None
    form = ProductForm.for_product(product)
    sent = submit(form, lambda: services.save_merchant_product(form.product_data(), form.image_order(),
                                                               form.new_uploads(), product))
    if sent.ok:
        flash(_("商品「%(title)s」已保存", title=sent.value.title), "success")
        return redirect(url_for(".edit", product_id=sent.value.id))
    return _form_page(form, product), page_status()


def _form_page(form, product, commission=None, material=None):
    if product is not None and commission is None:
        commission = ProductCommissionForm.for_product(product)
    materials = services.product_materials(product.id) if product is not None else []
    return render_template("admin/products/form.html", form=form, product=product, commission=commission,
                           material=material or PromoMaterialForm(formdata=None), materials=materials)


@bp.post("/<int:product_id>/commission")
def commission(product_id):
    product, form = services.get_product(product_id), ProductCommissionForm()
    if submit(form, lambda: services.save_product_commission(product, form.overrides(), current_staff)).ok:
        flash(_("「%(title)s」的商品佣金已保存", title=product.title), "success")
        return redirect(url_for(".edit", product_id=product.id, _anchor="commission"))
    return _form_page(ProductForm.for_product(product, posted=False), product, form), 400


@bp.post("/<int:product_id>/materials")
def add_material(product_id):
    product, form = services.get_product(product_id), PromoMaterialForm()
    if submit(form, lambda: services.add_promo_material(product, form.text.data, form.upload(), form.sort.data)).ok:
        flash(_("推广素材已添加"), "success")
        return redirect(url_for(".edit", product_id=product.id, _anchor="materials"))
    return _form_page(ProductForm.for_product(product, posted=False), product, material=form), 400


@bp.post("/<int:product_id>/materials/<int:material_id>/delete")
def delete_material(product_id, material_id):
    product = services.get_product(product_id)
    services.delete_promo_material(product, material_id)
    flash(_("推广素材已删除"), "success")
    return redirect(url_for(".edit", product_id=product.id, _anchor="materials"))


@bp.post("/<int:product_id>/shelf")
def shelf(product_id):
    product = services.set_on_shelf(services.get_product(product_id), request.form.get("on_shelf") == "1")
    flash(_("「%(title)s」已上架", title=product.title) if product.on_shelf
          else _("「%(title)s」已下架", title=product.title), "success")
    return redirect(safe_next("admin.products.index"))
