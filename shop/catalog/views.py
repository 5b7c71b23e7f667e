"""Storefront browsing: categories, search, product detail."""
from flask import Blueprint, render_template, request

from ..caching.fragments import Lazy
from . import services

bp = Blueprint("catalog", __name__)


def _page():
    return request.args.get("page", 1, type=int) or 1


@bp.get("/category")
def categories():
    shelf = Lazy(services.category_shelf, request.args.get("cid", type=int), _page(),
                 request.args.get("sort", "default"))
    return render_template("catalog/categories.html", shelf=shelf)


@bp.get("/search")
def search():
    q = request.args.get("q", "")[:50]
    sort = request.args.get("sort", "default")
    products = Lazy(services.paginate_shelf, page=_page(), q=q, sort=sort, category_id=request.args.get("cid", type=int))
    return render_template("catalog/search.html", q=q, sort=sort, products=products)


@bp.get("/p/<int:product_id>")
def product(product_id):
    product = services.get_product_for_shopper(product_id)
    return render_template("catalog/product.html", product=product)
