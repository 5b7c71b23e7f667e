"""The filtered distributor list as an Excel workbook: one row per distributor, in the list's order."""
from flask_babel import gettext as _

from ...clock import local_time
from ...distribution.models import DISTRIBUTOR_STATUSES
from ..xlsx import workbook_bytes, yuan


def headers():
    """The header row; the columns whose header ends in （元） hold amounts."""
    return [_("会员"), _("手机号"), _("邀请码"), _("等级"), _("状态"), _("上级"), _("直推"), _("二级"), _("三级"),
            _("团队人数"), _("团队业绩（元）"), _("自购金额（元）"), _("待结算佣金（元）"), _("已结算佣金（元）"),
            _("已退回佣金（元）"), _("加入时间")]


def row(distributor, node, referrer):
    """One distributor's cells; a member without a tree node has zeros."""
    counts = (node.direct_count, node.level2_count, node.level3_count) if node else (0, 0, 0)
    money = ((node.team_sales_fen, node.own_paid_fen, node.commission_frozen_fen, node.commission_settled_fen,
              node.commission_reversed_fen) if node else (0,) * 5)
    return [distributor.user.display_name, distributor.user.phone, distributor.invite_code,
            distributor.grade.name if distributor.grade else "", str(DISTRIBUTOR_STATUSES[distributor.status]),
            referrer.display_name if referrer else "", *counts, sum(counts), *map(yuan, money),
            local_time(distributor.joined_at)]


def distributors_workbook(distributors, nodes, referrers):
    """The .xlsx bytes of these distributors."""
    def referrer_of(d):
        node = nodes.get(d.user_id)
        return referrers.get(node.referrer_id) if node else None

    return workbook_bytes(_("分销商"), headers(), (row(d, nodes.get(d.user_id), referrer_of(d)) for d in distributors))
