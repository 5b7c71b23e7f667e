"""The merchant's agent appointments: appoint, change the rate, end. A changed rate or an ended appointment
changes only orders paid afterwards: each dividend keeps the rate it was created with."""
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..clock import utcnow
from ..database import transaction
from ..distribution.services import become_distributor
from ..errors import ServiceError
from ..extensions import db
from .models import ACTIVE, AGENT_LEVELS, CITY, DISTRICT, ENDED, PROVINCE, Agent

#: Which region names each level needs, largest first.
REGION_PARTS = {PROVINCE: ("province",), CITY: ("province", "city"), DISTRICT: ("province", "city", "district")}


def region_of(level, province, city, district):
    """The (province, city, district) an appointment at `level` stores: parts below the level are ''; a missing
    name or an unknown level is refused."""
    if level not in AGENT_LEVELS:
        raise ServiceError(_("请选择代理级别"))
    names = {"province": (province or "").strip()[:40], "city": (city or "").strip()[:40],
             "district": (district or "").strip()[:40]}
    if not all(names[part] for part in REGION_PARTS[level]):
        raise ServiceError(_("请填写代理区域的省、市、区县名称"))
    return tuple(names[part] if part in REGION_PARTS[level] else "" for part in ("province", "city", "district"))


def check_rate(rate_bp):
    """A dividend rate is 0.01%–100% of the goods paid."""
    if not isinstance(rate_bp, int) or not 0 < rate_bp <= 10_000:
        raise ServiceError(_("分红比例须在 0.01% 到 100% 之间"))
    return rate_bp


def appoint(phone, level, province, city, district, rate_bp, actor=None):
    """Appoint the member with this phone as the agent of a region; one active agent per region and level (the
    partial unique index decides between concurrent appointments). A member who is not yet a distributor becomes
    one ("后台添加"), so the dividends can be withdrawn from the distributor center like commissions. Owns its
    transaction."""
    region = region_of(level, province, city, district)
    check_rate(rate_bp)
    phone = (phone or "").strip()[:20]
    with transaction():
        user = db.session.scalar(select(User).where(User.phone == phone))
        if user is None:
            raise ServiceError(_("没有手机号为 %(p)s 的会员，请先让他注册", p=phone))
        agent = Agent(user_id=user.id, level=level, province=region[0], city=region[1], district=region[2],
                      rate_bp=rate_bp, status=ACTIVE, appointed_at=utcnow(), actor_id=getattr(actor, "id", None))
        db.session.add(agent)
        try:
            db.session.flush()
        except IntegrityError:
            raise ServiceError(_("%(r)s 已有在任的%(l)s，请先卸任", r="".join(region), l=AGENT_LEVELS[level]),
                               status=409) from None
        become_distributor(user.id, "admin")
    return agent


def _active(agent_id):
    agent = db.session.execute(select(Agent).where(Agent.id == agent_id).with_for_update()).scalar_one_or_none()
    if agent is None or agent.status != ACTIVE:
        raise ServiceError(_("该代理不存在或已卸任"), status=404)
    return agent


def change_rate(agent_id, rate_bp):
    """A new rate for orders paid from now on. Owns its transaction."""
    check_rate(rate_bp)
    with transaction():
        agent = _active(agent_id)
        agent.rate_bp = rate_bp
    return agent


def end_appointment(agent_id, reason):
    """End an appointment with a reason; the region is free for a new agent, and the dividends already created
    follow their orders as before. Owns its transaction."""
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ServiceError(_("请填写卸任原因"))
    with transaction():
        agent = _active(agent_id)
        agent.status, agent.ended_at, agent.end_reason = ENDED, utcnow(), reason
    return agent


def active_agent_of(user_id):
    """The member's active appointments, largest region first. Reads only."""
    rows = db.session.scalars(select(Agent).where(Agent.user_id == user_id, Agent.status == ACTIVE)
                              .order_by(Agent.id)).all()
    return sorted(rows, key=lambda a: list(AGENT_LEVELS).index(a.level))
