"""The pool's settings as the merchant edits them (分红池设置): their allowed values and the one check."""
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..settings import get_setting, set_setting
from .models import PERIOD_KINDS, REFUND_POLICIES, SPLITS

KEYS = ("pool_rate_bp", "pool_period", "pool_grade_ids", "pool_split", "pool_refund_policy")
#: The highest pool rate: 20% of sales.
MAX_RATE_BP = 2000


def current():
    """The merchant's pool settings, as stored (or their defaults)."""
    return {key: get_setting(key) for key in KEYS}


def settings_error(values):
    """The first reason these settings are refused, or None. Reads the grades."""
    from ..distribution.models import Grade

    rate = values.get("pool_rate_bp")
    if not isinstance(rate, int) or isinstance(rate, bool) or not 0 <= rate <= MAX_RATE_BP:
        return _("分红比例须在 0 到 20% 之间")
    if values.get("pool_period") not in PERIOD_KINDS or values.get("pool_split") not in SPLITS \
            or values.get("pool_refund_policy") not in REFUND_POLICIES:
        return _("分红池设置无效")
    grade_ids = values.get("pool_grade_ids") or []
    known = set(db.session.scalars(select(Grade.id)))
    if any(g not in known for g in grade_ids):
        return _("分销等级不存在")
    if rate and not grade_ids:
        return _("请选择参与分红的等级")
    return None


def save(values):
    """Check and store the pool settings; joins the caller's transaction."""
    from ..errors import ServiceError

    error = settings_error(values)
    if error:
        raise ServiceError(error)
    for key in KEYS:
        set_setting(key, sorted(values[key]) if key == "pool_grade_ids" else values[key])
