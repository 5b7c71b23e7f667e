"""The agent list as CSV (UTF-8 with a BOM) or Excel, for the filtered appointments with their region figures."""
import csv
import io

from flask_babel import gettext as _

from ...agents import queries
from ...agents.models import AGENT_LEVELS, AGENT_STATUSES
from ...clock import local_time
from ...extensions import db
from ...money import format_bp
from ..xlsx import workbook_bytes, yuan


def headers():
    """The header row; the columns whose header ends in （元） hold amounts."""
    return [_("代理"), _("手机号"), _("级别"), _("区域"), _("分红比例"), _("状态"), _("任命时间"), _("订单数"),
            _("商品实付（元）"), _("冻结中分红（元）"), _("已结算分红（元）"), _("已退回/追回（元）")]


def rows(filters):
    """Every filtered appointment's cells, amounts as Decimal yuan."""
    found = db.session.execute(queries.agents_statement(filters)).all()
    figures = queries.figures([agent.id for agent, _user in found])
    for agent, user in found:
        f = figures[agent.id]
        yield [user.display_name, user.phone, str(AGENT_LEVELS[agent.level]), agent.region_text,
               format_bp(agent.rate_bp),
               str(AGENT_STATUSES[agent.status]), local_time(agent.appointed_at), f.orders, yuan(f.goods_fen),
               yuan(f.frozen_fen), yuan(f.settled_fen), yuan(f.reversed_fen)]


def as_csv(filters):
    """The CSV bytes: UTF-8 with a BOM so a spreadsheet reads the Chinese."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers())
    writer.writerows(rows(filters))
    return buffer.getvalue().encode("utf-8")


def as_xlsx(filters):
    """The .xlsx bytes."""
    return workbook_bytes(_("区域代理"), headers(), list(rows(filters)))
