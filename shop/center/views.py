"""推广中心, the distributor center: overview, joining, invites and posters, team, commissions, promotion
orders, withdrawals, leaderboards and promotion materials. Every page shows only the logged-in member's
own records; an id in the URL that belongs to someone else is a 404."""
import functools

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..distribution.forms import ApplyForm
from ..errors import ServiceError
from ..extensions import limiter
from ..growth import funnel as invite_funnel
from ..money import format_fen
from ..pagination import requested_page
from ..urls import to_id
from . import poster_files, posters, queries, services
from .forms import WithdrawForm
from .masking import mask_account, mask_name, mask_real_name

bp = Blueprint("center", __name__, url_prefix="/center")
bp.add_app_template_filter(mask_name, "mask_name")
bp.add_app_template_filter(mask_account, "mask_account")
bp.add_app_template_filter(mask_real_name, "mask_real_name")


@bp.before_request
def load_distributor():
    """Members only; g.distributor is the member's Distributor or None."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    g.distributor = queries.center_distributor(current_user.id)


def needs_distributor(active=False):
    """The view gets the member's Distributor; others go to /center (how to join). With active=True a
    disabled distributor is refused too (invites and posters would lead nowhere): images answer 404."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(**kwargs):
            distributor = g.distributor
            if distributor is None or (active and not distributor.is_active):
                if request.path.endswith(".png"):
                    abort(404)
                if distributor is not None:
                    flash(_("你的分销资格已被停用，不能再邀请和分享"), "error")
                return redirect(url_for(".index"))
            return view(distributor, **kwargs)
        return wrapper
    return decorate


def invite_link(distributor, **extra):
    return url_for("distribution.invite", code=distributor.invite_code, _external=True, **extra)


@bp.app_context_processor
def share_helpers():
    def my_invite_code():
        """The logged-in member's invite code when they are an active distributor (for share links)."""
        return current_user.share_code if current_user.is_authenticated else None
    return {"my_invite_code": my_invite_code}


@bp.route("", methods=["GET", "POST"])
def index():
    """The overview for distributors; how to become one for everyone else (a POST here is an application)."""
    if g.distributor is None:
        return _join()
    return render_template("center/overview.html", distributor=g.distributor, **queries.overview(g.distributor))


def _join():
    status, form = queries.join_status(current_user.id), ApplyForm()
    if status["mode"] == "apply" and form.validate_on_submit():
        try:
            services.apply(current_user, form.real_name.data, form.phone.data)
        except ServiceError as err:
            form.form_errors.append(err.message)
        else:
            flash(_("申请已提交，请等待审核"), "success")
            return redirect(url_for(".index"))
    page = render_template("center/join.html", form=form, **status)
    return page, 400 if request.method == "POST" else 200


@bp.post("/join")
def join():
    """"Everyone" mode, for a member who is not a distributor yet (logged in before the merchant chose it)."""
    services.join(current_user.id)
    return redirect(url_for(".index"))


@bp.get("/invite")
@needs_distributor(active=True)
def invite(distributor):
    return render_template("center/invite.html", distributor=distributor, link=invite_link(distributor))


@bp.get("/qr.png")
@needs_distributor(active=True)
def qr(distributor):
    response = current_app.response_class(posters.qr_png(invite_link(distributor, via="qr")),
                                          mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _send_poster(path, name):
    return send_file(path, mimetype="image/png", as_attachment=bool(request.args.get("download")),
                     download_name=name, max_age=0, conditional=True)


@bp.get("/poster.png")
@needs_distributor(active=True)
def poster(distributor):
    path = poster_files.invite_poster(distributor, invite_link(distributor, via="qr", src="poster"))
    return _send_poster(path, f"poster-{distributor.invite_code}.png")


@bp.get("/poster/product/<int:product_id>.png")
@needs_distributor(active=True)
def product_poster(distributor, product_id):
    product = queries.shop_product(product_id)
    link = url_for("catalog.product", product_id=product.id, ref=distributor.invite_code, src="poster",
                   _external=True)
    return _send_poster(poster_files.product_poster(distributor, product, link), f"product-{product.id}.png")


@bp.get("/team")
@needs_distributor()
def team(distributor):
    levels = queries.team_levels()
    level = request.args.get("level", 1, type=int)
    level = level if level in levels else 1
    q = request.args.get("q", "").strip()[:20]
    members, counts = queries.team(distributor.user_id, level, page=requested_page(), q=q)
    return render_template("center/team.html", members=members, counts=counts, levels=levels, level=level, q=q)


@bp.get("/commissions")
@needs_distributor()
def commissions(distributor):
    status = request.args.get("status")
    status = status if status in queries.COMMISSION_STATUSES else None
    return render_template("center/commissions.html", status=status, statuses=queries.COMMISSION_STATUSES,
                           rows=queries.commissions(distributor.user_id, status, page=requested_page()),
                           totals=queries.commission_totals(distributor.user_id))


@bp.get("/commissions/<int:commission_id>")
@needs_distributor()
def commission(distributor, commission_id):
    return render_template("center/commission.html", **queries.get_commission(distributor.user_id, commission_id))


@bp.get("/ledger")
@needs_distributor()
def ledger(distributor):
    group = request.args.get("group")
    group = group if group in queries.LEDGER_GROUPS else None
    return render_template("center/ledger.html", group=group, groups=queries.LEDGER_GROUPS,
                           balances=queries.balances(distributor.user_id),
                           rows=queries.ledger(distributor.user_id, group, page=requested_page()))


@bp.get("/orders")
@needs_distributor()
def orders(distributor):
    rows = queries.promotion_orders(distributor.user_id, page=requested_page())
    return render_template("center/orders.html", rows=rows)


@bp.get("/orders/<order_no>")
@needs_distributor()
def order(distributor, order_no):
    return render_template("center/order.html", **queries.promotion_order(distributor.user_id, order_no))


@bp.route("/withdraw", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@needs_distributor()
def withdraw(distributor):
    terms = queries.withdraw_terms(distributor.user_id)
    form, quote = WithdrawForm(terms["limits"]["methods"]), None
    if form.validate_on_submit():
        quote = queries.quote_withdrawal(form.amount_fen)
        if not request.form.get("preview"):
            try:
                done = services.request_withdrawal(current_user.id, form.amount_fen, form.method.data, form.payee())
            except ServiceError as err:
                form.form_errors.append(err.message)
            else:
                flash(_("提现申请已提交：提现 %(amount)s，手续费 %(fee)s，预计到账 %(net)s", amount=format_fen(
                    done.amount_fen), fee=format_fen(done.fee_fen), net=format_fen(done.net_fen)), "success")
                return redirect(url_for(".withdraw"))
    page = render_template("center/withdraw.html", form=form, quote=quote, history=queries.withdrawal_history(
        current_user.id, page=requested_page()), **terms)
    return page, 400 if form.errors else 200


@bp.get("/withdrawals/<int:withdrawal_id>")
@needs_distributor()
def withdrawal(distributor, withdrawal_id):
    withdrawal = queries.get_withdrawal(distributor.user_id, withdrawal_id)
    in_wechat = "MicroMessenger" in (request.user_agent.string or "")
    return render_template("center/withdrawal.html", withdrawal=withdrawal,
                           confirm=queries.confirm_step(withdrawal, in_wechat))


@bp.get("/ranking")
@needs_distributor()
def ranking(distributor):
    board = request.args.get("board") if request.args.get("board") in queries.BOARDS else "commission"
    period = request.args.get("period") if request.args.get("period") in queries.PERIODS else "week"
    return render_template("center/ranking.html", board=board, period=period,
                           rows=queries.leaderboard(board, period), me=distributor.user_id)


@bp.get("/materials")
@needs_distributor(active=True)
def materials(distributor):
    product_id = to_id(request.args.get("product_id"))
    product = queries.shop_product(product_id) if product_id else None
    return render_template("center/materials.html", product=product,
                           rows=queries.materials(page=requested_page(), product_id=product_id))


@bp.get("/funnel")
@needs_distributor()
def funnel(distributor):
    """我的漏斗: visits of my links by source, registrations, first paid orders and sales, 7 or 30 days."""
    days = request.args.get("days", 7, type=int)
    days = days if days in invite_funnel.PERIODS else 7
    return render_template("center/funnel.html", days=days, periods=invite_funnel.PERIODS,
                           funnel=invite_funnel.my_funnel(distributor.user_id, days))
