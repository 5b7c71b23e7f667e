"""Home, /media, the language switch and the CSRF token of a visitor's first submit (/healthz is in shop/ops/views.py)."""
import os

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, send_from_directory, session

from ..caching.fragments import Lazy
from ..catalog import services as catalog
from ..csrf_token import signed_token
from ..urls import safe_next_url

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("main/home.html", categories=Lazy(catalog.top_categories),
                           featured=Lazy(catalog.featured_products), new=Lazy(catalog.new_products))


@bp.get("/media/<path:path>")
def media(path):
    # Files are named by content hash, so they can be cached for a year.
    return send_from_directory(os.path.join(current_app.instance_path, "uploads"), path, max_age=31536000)


@bp.get("/lang/<code>")
def set_language(code):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next_url(request.args.get("next"), "/"))


@bp.get("/csrf-token")
def csrf_token():
    """The session's CSRF token, started now if the visitor has none: a page served from the cache to a visitor
    without a session carries no token (caching/pages.py visitor_token), and static/js/shop.js asks here before
    its first submit. Another site cannot read the answer (same origin, no CORS)."""
    return jsonify(token=signed_token()), 200, {"Cache-Control": "no-store"}
