"""Distribution settings: who becomes a distributor (the mode) and the binding (锁粉) rules; their allowed values
and the one check both the admin form and the admin service use."""
from flask_babel import gettext as _

from ..errors import ServiceError
from ..settings import get_setting, set_setting

KEYS = ("distribution_mode", "distribution_threshold_fen", "bind_scope", "bind_moment", "bind_valid_days")
#: The allowed values of each choice; the admin form offers exactly these.
CHOICES = {"distribution_mode": ("everyone", "apply", "threshold"), "bind_scope": ("any", "new"),
           "bind_moment": ("visit", "paid")}
MAX_VALID_DAYS = 3650


def current():
    """The merchant's distribution mode and binding rules, as stored (or their defaults)."""
    return {key: get_setting(key) for key in KEYS}


def threshold_error(mode, threshold_fen):
    """Why this spending threshold is refused, or None: never negative, and above 0 when it is the way in."""
    if (threshold_fen or 0) < 0 or (mode == "threshold" and not threshold_fen):
        return _("请填写大于0的消费门槛")
    return None


def valid_days_error(lapses, days):
    """Why a binding may not lapse after this many days without a paid order, or None (permanent is always fine)."""
    if lapses and (days is None or not 1 <= days <= MAX_VALID_DAYS):
        return _("请填写1到3650之间的天数")
    return None


def settings_error(values):
    """The first reason these settings are refused, or None; bind_valid_days 0 means permanent."""
    if any(values.get(key) not in allowed for key, allowed in CHOICES.items()):
        return _("分销设置无效")
    days = values.get("bind_valid_days")
    return (threshold_error(values["distribution_mode"], values["distribution_threshold_fen"])
            or valid_days_error(days != 0, days))


def save(values):
    """Check and store the distribution mode and binding rules; a threshold of None keeps the stored one.
    Joins the caller's transaction."""
    values = dict(values)
    if values.get("distribution_threshold_fen") is None:
        values["distribution_threshold_fen"] = get_setting("distribution_threshold_fen")
    error = settings_error(values)
    if error:
        raise ServiceError(error)
    for key in KEYS:
        set_setting(key, int(values[key]) if key == "distribution_threshold_fen" else values[key])
