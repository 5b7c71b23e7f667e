"""Admin 会员: every member, searched by phone, nickname or invite code and filtered by registration date,
spending and distributor or not; one member's page."""
from flask import Blueprint, render_template, request

from ...pagination import requested_page
from ...points.ledger import balance_of
from . import services
from .forms import MemberFilters

bp = Blueprint("members", __name__, url_prefix="/members")


@bp.get("")
def index():
    filters, sort = MemberFilters.from_args(request.args), services.SORTING.choose(request.args)
    return render_template("admin/members/list.html", members=services.member_page(filters, requested_page(), sort=sort),
                           filters=filters, sort=sort)


@bp.get("/<int:user_id>")
def detail(user_id):
    member = services.get_member(user_id)
    return render_template("admin/members/detail.html", member=member, points=balance_of(member.id),
                           **services.member_detail(member))
