"""Storefront browsing: categories, search, product detail."""
from flask import Blueprint, render_template, request
from sqlalchemy import select

from ..extensions import db
from ..pagination import requested_page
from ..urls import to_id
from . import services
from .models import Category

bp = Blueprint("catalog", __name__)


@bp.get("/category")
def categories():
    tops = services.top_categories()
    current = to_id(request.args.get("cid")) or (tops[0].id if tops else None)
    category = db.session.get(Category, current) if current else None
    products = services.paginate_shelf(page=requested_page(), category_id=current,
                                       sort=request.args.get("sort", "default")) if category else None
    return render_template("catalog/categories.html", tops=tops, category=category, products=products)


@bp.get("/search")
def search():
    q = request.args.get("q", "")[:50]
    sort = request.args.get("sort", "default")
    cid = to_id(request.args.get("cid"))
    products = services.paginate_shelf(page=requested_page(), q=q, sort=sort, category_id=cid)
    category = db.session.scalar(select(Category).where(Category.id == cid)) if cid else None
    return render_template("catalog/search.html", q=q, sort=sort, products=products, category=category)


@bp.get("/p/<int:product_id>")
def product(product_id):
    product = services.get_product_for_shopper(product_id)
    return render_template("catalog/product.html", product=product)
