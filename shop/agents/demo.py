"""The demo's regional agent: a member who is the city agent of 上海市 (the demo stores' city), at 1%."""
from sqlalchemy import select

from ..database import transaction
from ..demo import demo_member
from ..extensions import db
from .models import ACTIVE, CITY, Agent

#: The demo agent: phone, password, nickname; the region and rate.
AGENT = ("13900000010", "demo123", "上海代理老周")
REGION, RATE_BP = ("上海市", "上海市", ""), 100


def seed_demo(echo=print):
    """The demo city agent of 上海市, unless one is appointed; running it again duplicates nothing. Owns its
    transaction."""
    with transaction():
        user, new = demo_member(*AGENT)
        taken = db.session.scalar(select(Agent).where(Agent.level == CITY, Agent.province == REGION[0],
                                                      Agent.city == REGION[1], Agent.status == ACTIVE))
        if taken is None:
            db.session.add(Agent(user_id=user.id, level=CITY, province=REGION[0], city=REGION[1], district="",
                                 rate_bp=RATE_BP, status=ACTIVE))
    echo(f"{'city agent':14s} {AGENT[0]} / {AGENT[1]}  (上海市 city agent, 1%; /center/agent)"
         + ("" if new else "  (already there)"))
