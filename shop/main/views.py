"""Home, /healthz, /media and the language switch."""
import os

from flask import Blueprint, current_app, redirect, render_template, request, send_from_directory, session
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..caching.fragments import Lazy
from ..catalog import services as catalog
from ..extensions import db, limiter

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("main/home.html", categories=Lazy(catalog.top_categories),
                           featured=Lazy(catalog.featured_products), new=Lazy(catalog.new_products))


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        return {"status": "ok", "database": "ok"}, 200
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.error("healthz: database unreachable: %s", exc)
        return {"status": "error", "database": "unreachable"}, 503


@bp.get("/media/<path:path>")
def media(path):
    # Files are named by content hash, so they can be cached for a year.
    return send_from_directory(os.path.join(current_app.instance_path, "uploads"), path, max_age=31536000)


@bp.get("/lang/<code>")
def set_language(code):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.args.get("next") or "/"
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
