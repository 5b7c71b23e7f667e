"""Home, /media and the language switch (/healthz is in shop/ops/views.py)."""
import os

from flask import Blueprint, current_app, redirect, render_template, request, send_from_directory, session

from ..caching.fragments import Lazy
from ..catalog import services as catalog
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
