"""Storefront browsing: categories, search, product detail."""
from flask import Blueprint, render_template, request

from ..caching.fragments import Lazy
from ..caching.pages import member_parts
from ..pagination import requested_page
from ..urls import to_id
from . import services

bp = Blueprint("catalog", __name__)


@bp.get("/category")
def categories():
    shelf = Lazy(services.category_shelf, to_id(request.args.get("cid")), requested_page(),
                 request.args.get("sort", "default"))
    return render_template("catalog/categories.html", shelf=shelf)


@bp.get("/search")
def search():
    q = request.args.get("q", "")[:50]
    sort = request.args.get("sort", "default")
    products = Lazy(services.paginate_shelf, page=requested_page(), q=q, sort=sort,
                    category_id=to_id(request.args.get("cid")))
    return render_template("catalog/search.html", q=q, sort=sort, products=products)


@bp.get("/p/<int:product_id>")
def product(product_id):
    product = services.get_product_for_shopper(product_id)
    return render_template("catalog/product.html", product=product)


def product_parts_fingerprint():
    """The member's parts of a product page change with their invite code (the share link) and their own panels'
    fingerprints (marketing/slots.py); None when a panel names none."""
    from ..accounts.models import User
    from ..marketing.slots import member_fingerprint

    panels = member_fingerprint("product")
    return None if panels is None else [User.share_code, *panels]


@member_parts("catalog.product", fingerprint=product_parts_fingerprint)
def product_member_parts(product_id):
    """A member's own parts of a product page served from the members' cache: their panels and share link."""
    return render_template("catalog/_product_member.html", product=services.get_product_for_shopper(product_id))
