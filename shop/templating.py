"""Template filters and globals shared by every page."""
from flask import current_app, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from .clock import local_time
from .money import format_bp, format_fen


def media_url(path):
    """URL of an uploaded file, or the placeholder image."""
    if not path:
        return url_for("static", filename="img/placeholder.svg")
    return url_for("main.media", path=path)


def page_url(page, **extra):
    """The current page's URL with another page number (keeps the other arguments)."""
    args = request.args.to_dict()
    args.update(extra)
    args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register(app):
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(format_fen, "money")
    app.add_template_filter(format_bp, "percent")
    app.add_template_global(media_url)
    app.add_template_global(page_url)

    @app.context_processor
    def shop_globals():
        from .cart.services import cart_count

        def _cart_count():
            return cart_count(current_user)

        return {"shop_name": current_app.config["SHOP_NAME"], "cart_count": _cart_count,
                "current_locale": str(get_locale() or "zh")}
