"""The merchant's coupon use cases: templates (create, edit, on/off), issuing to members, the members' coupons,
the reward settings."""
import re
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ...accounts.models import User
from ...catalog.models import Category, Product
from ...clock import day_start
from ...converters import whole_number
from ...coupons.models import CATEGORIES, DATES, PERCENT, PRODUCTS, STAFF, USED, Coupon, CouponTemplate
from ...coupons.services import grant
from ...database import transaction
from ...errors import ServiceError, found
from ...extensions import db
from ...pagination import paginate
from ...settings import get_setting, set_setting
from ..fields import split_list

#: Members one issue may name.
ISSUE_MAX = 200
#: What cannot change once coupons of a template were given: members hold coupons on these terms.
TERMS = ("kind", "amount_fen", "percent_bp", "max_discount_fen", "threshold_fen", "scope", "scope_ids")
REWARD_KEYS = ("coupon_register_template_id", "coupon_invite_template_id")


def templates():
    """Every template, newest first, with its used count: [(template, used)]."""
    used = dict(db.session.execute(select(Coupon.template_id, func.count()).where(Coupon.status == USED)
                                   .group_by(Coupon.template_id)).all())
    rows = db.session.scalars(select(CouponTemplate).order_by(CouponTemplate.id.desc())).all()
    return [(t, used.get(t.id, 0)) for t in rows]


def get_template(template_id):
    """A template; or 404."""
    return found(db.session.get(CouponTemplate, template_id), _("优惠券不存在"))


def save_template(data, template=None):
    """Create or update a template from the form's data after checking its rules; commits."""
    with transaction():
        values = template_values(data)
        if template is not None:
            _check_edit(template, values)
        else:
            template = CouponTemplate(issued=0)
            db.session.add(template)
        for key, value in values.items():
            setattr(template, key, value)
    return template


def template_values(data):
    """The columns of a template from form data, or a ServiceError naming the first rule broken."""
    kind = data.get("kind")
    values = {"name": (data.get("name") or "").strip(), "kind": kind, "scope": data.get("scope"),
              "amount_fen": data.get("amount_fen") or 0, "percent_bp": data.get("percent_bp") or 0,
              "max_discount_fen": data.get("max_discount_fen") or 0, "threshold_fen": data.get("threshold_fen") or 0,
              "validity": data.get("validity"), "valid_days": data.get("valid_days") or 0,
              "total": data.get("total") or 0, "per_member": data.get("per_member") or 0,
              "obtain": data.get("obtain"), "enabled": bool(data.get("enabled"))}
    if not values["name"]:
        raise ServiceError(_("请填写名称"))
    _check_discount(values)
    values["scope_ids"] = _scope_ids(values["scope"], data.get("scope_ids"))
    values.update(_dates(values, data.get("starts_on"), data.get("ends_on")))
    if not 1 <= values["total"] <= 10_000_000 or not 1 <= values["per_member"] <= 100:
        raise ServiceError(_("发放总量须在 1 到 10000000 之间，每人限领须在 1 到 100 之间"))
    return values


def _check_discount(values):
    if values["kind"] == PERCENT:
        values["amount_fen"] = 0
        if not 1 <= values["percent_bp"] <= 9999:
            raise ServiceError(_("折扣比例须大于 0 且小于 100%"))
    else:
        values["percent_bp"] = values["max_discount_fen"] = 0
        if values["amount_fen"] <= 0:
            raise ServiceError(_("请填写减免金额"))
    if min(values["amount_fen"], values["max_discount_fen"], values["threshold_fen"]) < 0:
        raise ServiceError(_("金额不能为负数"))


def _scope_ids(scope, text):
    if scope not in (CATEGORIES, PRODUCTS):
        return []
    parsed = [whole_number(part) for part in split_list(text)]
    ids = sorted(set(parsed) - {None})
    if not ids or len(ids) != len(parsed):
        raise ServiceError(_("请填写分类或商品的 ID（数字，用逗号分隔）"))
    model = Category if scope == CATEGORIES else Product
    known = set(db.session.scalars(select(model.id).where(model.id.in_(ids))))
    if known != set(ids):
        raise ServiceError(_("这些 ID 不存在：%(ids)s", ids=", ".join(str(i) for i in ids if i not in known)))
    return ids


def _dates(values, starts_on, ends_on):
    if values["validity"] != DATES:
        if not 1 <= values["valid_days"] <= 3650:
            raise ServiceError(_("领取后有效天数须在 1 到 3650 之间"))
        return {"starts_at": None, "ends_at": None}
    if not starts_on or not ends_on or ends_on < starts_on:
        raise ServiceError(_("请填写开始和结束日期，结束不能早于开始"))
    return {"starts_at": day_start(starts_on), "ends_at": day_start(ends_on + timedelta(days=1))}


def _check_edit(template, values):
    if template.issued and any(getattr(template, key) != values[key] for key in TERMS):
        raise ServiceError(_("已发出%(n)s张，不能再修改优惠内容和适用范围；可以停用后新建一张", n=template.issued))
    if values["total"] < template.issued:
        raise ServiceError(_("发放总量不能少于已发出的%(n)s张", n=template.issued))


def set_enabled(template, enabled):
    """Turn a template on or off (off: no more claims or grants; coupons given stay usable); commits."""
    with transaction():
        template.enabled = bool(enabled)
    return template


def issue(template, text):
    """Staff issue one coupon of the template to each member named (phone or member id). Members not found are
    refused before anything is given; returns (given, [members skipped with the reason]). Commits."""
    users = _members(text)
    skipped, given = [], 0
    with transaction():
        for user in users:
            try:
                grant(user.id, template.id, STAFF)
                given += 1
            except ServiceError as err:
                skipped.append((user, err.message))
    return given, skipped


def _members(text):
    names = [part for part in re.split(r"[\s,，、]+", text or "") if part]
    if not names or len(names) > ISSUE_MAX:
        raise ServiceError(_("请填写 1 到 %(n)s 位会员", n=ISSUE_MAX))
    ids = [whole_number(n) for n in names if whole_number(n) is not None]
    phones = [n for n in names if whole_number(n) is None]
    users = db.session.scalars(select(User).where(User.id.in_(ids) | User.phone.in_(phones))).all()
    known = {str(u.id) for u in users} | {u.phone for u in users}
    missing = [n for n in names if n not in known]
    if missing:
        raise ServiceError(_("找不到这些会员：%(names)s", names="、".join(missing[:20])))
    return users


def member_coupons(template_id=None, status=None, phone="", page=1):
    """A page of members' coupons, newest first, by template, status and member phone."""
    stmt = select(Coupon).options(joinedload(Coupon.template), joinedload(Coupon.user), joinedload(Coupon.order))
    if template_id:
        stmt = stmt.where(Coupon.template_id == template_id)
    if status:
        stmt = stmt.where(Coupon.status == status)
    if phone:
        stmt = stmt.join(User, User.id == Coupon.user_id).where(User.phone.contains(phone))
    return paginate(stmt.order_by(Coupon.id.desc()), page)


def reward_settings():
    """{setting key: template id or None} of the coupon rewards."""
    return {key: get_setting(key) for key in REWARD_KEYS}


def save_reward_settings(values):
    """Store the reward templates (an enabled template's id, or None); commits."""
    with transaction():
        for key in REWARD_KEYS:
            template_id = values.get(key)
            if template_id and db.session.get(CouponTemplate, template_id) is None:
                raise ServiceError(_("优惠券不存在"))
            set_setting(key, template_id or None)
