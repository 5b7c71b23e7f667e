"""Demo coupons (`seed_demo(echo)`, wired into shop/demo.py by the merge): a claimable one for everything, a
percent one for the first top category, and the registration reward."""
from sqlalchemy import select

from ..catalog.models import Category
from ..database import transaction
from ..extensions import db
from ..settings import set_setting
from .models import CouponTemplate

DEMO = [
    {"name": "全场满99减10", "kind": "fixed", "amount_fen": 1000, "threshold_fen": 9900, "total": 1000, "per_member": 2},
    {"name": "新人专享无门槛5元", "kind": "fixed", "amount_fen": 500, "total": 100000, "per_member": 1,
     "obtain": "reward", "valid_days": 30},
]


def seed_demo(echo=print):
    """Create the demo coupon templates that are missing and make the new-member one the registration reward.
    Owns its transaction; running it again duplicates nothing."""
    with transaction():
        top = db.session.scalar(select(Category).where(Category.parent_id.is_(None)).order_by(Category.id))
        rows = DEMO + ([{"name": f"{top.name}八五折，最多减50", "kind": "percent", "percent_bp": 1500,
                         "max_discount_fen": 5000, "scope": "categories", "scope_ids": [top.id], "total": 500,
                         "per_member": 1}] if top else [])
        for values in rows:
            template = db.session.scalar(select(CouponTemplate).where(CouponTemplate.name == values["name"]))
            if template is None:
                template = CouponTemplate(**{"validity": "days", "valid_days": 7, "scope": "all", "scope_ids": [],
                                             "obtain": "claim", "issued": 0, **values})
                db.session.add(template)
                db.session.flush()
                echo(f"coupon {values['name']}: created")
            if values.get("obtain") == "reward":
                set_setting("coupon_register_template_id", template.id)
