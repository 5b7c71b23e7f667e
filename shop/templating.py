"""Template filters and globals shared by every page."""
from types import SimpleNamespace

from flask import current_app, g, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from .clock import local_time
from .money import format_bp, format_fen, format_zhe


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


#: Where a page cached for every member shows the cart badge: filled per request (caching/pages.py).
CART_BADGE_HOLE = "\x00cart:{limit}\x00"


def cart_badge(limit=None):
    """The tab bar's cart badge: `<b class="badge">n</b>` ("99+" past limit=99), nothing for an empty cart; a hole
    in a page rendered for every member."""
    if g.get("member_page"):
        return Markup(CART_BADGE_HOLE.format(limit=limit or ""))
    from .cart.services import cart_count

    return badge_html(cart_count(current_user), limit)


def badge_html(count, limit=None):
    if not count:
        return Markup("")
    return Markup('<b class="badge">{}</b>').format(f"{limit}+" if limit and count > limit else count)


def label_sets():
    """The `labels` global: every closed set's value -> label mapping, read from beside its model.

    `{{ labels.commission_status[c.status] }}`; an unknown value shows as itself."""
    from .agents import models as agents
    from .assist import models as assist
    from .coupons import models as coupons
    from .distribution import models as distribution
    from .flash import models as flash
    from .groupbuy import models as groupbuy
    from .growth import models as growth
    from .orders import models as order_models
    from .orders import status as order
    from .payments import models as payments
    from .points import models as points
    from .staff import models as staff
    from .wallet import models as wallet

    return SimpleNamespace(
        order_status=order.LABELS,
        commission_status=distribution.COMMISSION_STATUSES, commission_level=distribution.LEVELS,
        rule_source=distribution.RULE_SOURCES, distributor_status=distribution.DISTRIBUTOR_STATUSES,
        distributor_source=distribution.DISTRIBUTOR_SOURCES, bind_source=distribution.BIND_SOURCES,
        application_status=distribution.APPLICATION_STATUSES,
        withdrawal_status=wallet.WITHDRAWAL_STATUSES, withdrawal_method=wallet.METHODS, ledger_kind=wallet.LEDGER_KINDS,
        transfer_state=wallet.TRANSFER_STATES, transfer_fail_reason=wallet.TRANSFER_FAIL_REASONS,
        payment_status=payments.PAYMENT_STATUSES, alert_kind=payments.ALERT_KINDS,
        refund_status=payments.REFUND_STATUSES, refund_kind=payments.REFUND_KINDS,
        refund_progress=payments.REFUND_PROGRESS, staff_role=staff.ROLES,
        visit_source=growth.VISIT_SOURCES, flag_reason=growth.FLAG_REASONS, flag_kind=growth.FLAG_KINDS,
        flag_status=growth.FLAG_STATUSES, discount_kind=order_models.DISCOUNT_KINDS,
        activity_kind=order_models.ACTIVITY_KINDS, flash_slot_state=flash.SLOT_STATES, points_kind=points.POINTS_KINDS,
        coupon_kind=coupons.TEMPLATE_KINDS, coupon_scope=coupons.SCOPES, coupon_validity=coupons.VALIDITIES,
        coupon_obtain=coupons.OBTAIN_WAYS, coupon_status=coupons.COUPON_STATUSES, coupon_source=coupons.COUPON_SOURCES,
        assist_state=assist.CAMPAIGN_STATES, agent_level=agents.AGENT_LEVELS, agent_status=agents.AGENT_STATUSES,
        group_status=groupbuy.GROUP_STATUSES, group_overflow=groupbuy.OVERFLOWS, group_order_state=groupbuy.INTENT_STATES,
    )


def bar_width(percent):
    """The class of a bar filled to `percent` (clamped to 0..100): static/css/widths.css, as the CSP allows no
    style= attributes."""
    return f"w-{min(max(int(percent or 0), 0), 100)}"


def register(app):
    from .distribution.explain import explain

    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(format_fen, "money")
    app.add_template_filter(format_bp, "percent")
    app.add_template_filter(format_zhe, "zhe")
    app.add_template_filter(bar_width)
    app.add_template_global(media_url)
    app.add_template_global(page_url)
    app.add_template_global(cart_badge)
    app.add_template_global(label_sets(), "labels")
    app.add_template_global(explain)
    from .points.memos import discount_label, points_memo
    app.add_template_global(points_memo)
    app.add_template_global(discount_label)
    from .wallet.memos import ledger_memo
    app.add_template_global(ledger_memo)
    from .marketing.slots import panels
    app.add_template_global(panels)
    from .groupbuy.services import group_status_for_order
    app.add_template_global(group_status_for_order)
    from .admin.identity import current_staff
    app.add_template_global(current_staff, "current_staff")

    @app.context_processor
    def shop_globals():
        return {"shop_name": current_app.config["SHOP_NAME"], "current_locale": str(get_locale() or "zh")}
