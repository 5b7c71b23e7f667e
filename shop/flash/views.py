"""The /flash page: the running and coming slots as tabs, the chosen slot's items."""
from flask import Blueprint, render_template, request

from ..clock import utcnow
from . import services

bp = Blueprint("flash", __name__)


@bp.get("/flash")
def index():
    now = utcnow()
    slots = services.storefront_slots(now)
    slots = [s for s in (slots[0], *slots[1]) if s is not None]
    current = next((s for s in slots if s.id == request.args.get("slot", type=int)), slots[0] if slots else None)
    return render_template("flash/index.html", slots=slots, current=current, now=now)
