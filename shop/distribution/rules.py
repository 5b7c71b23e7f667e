"""Commission rules as the merchant edits them, versioned: every change writes an immutable snapshot
that orders and commissions refer to, so a later edit never changes what an order pays."""
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..catalog.models import Product
from ..database import is_postgresql
from ..errors import ServiceError
from ..extensions import db
from . import commission as engine
from .models import CommissionSettings, Distributor, Grade, ProductCommission, RuleVersion


def current_settings():
    """The single row of global rules, created with the defaults on first use.
    Joins the caller's transaction."""
    row = db.session.get(CommissionSettings, 1)
    if row is None:
        row = CommissionSettings(id=1, levels=2, rate1_bp=1000, rate2_bp=500, rate3_bp=0, self_purchase=False,
                                 cap_bp=5000)
        db.session.add(row)
        db.session.flush()
    return row


def snapshot_data():
    """Everything the engine needs, as plain JSON-able data. Reads only."""
    s = current_settings()
    grades = db.session.scalars(select(Grade)).all()
    overrides = {}
    for row in db.session.scalars(select(ProductCommission)):
        overrides.setdefault(str(row.product_id), {})[str(row.level)] = [row.mode, row.value]
    return {
        "levels": s.levels, "rates_bp": [s.rate1_bp, s.rate2_bp, s.rate3_bp], "self_purchase": s.self_purchase,
        "cap_bp": s.cap_bp, "grade_rates_bp": {str(g.id): list(g.rates) for g in grades},
        "product_overrides": overrides,
    }


def rules_from_data(version_id, data):
    """An engine Rules from a stored snapshot. No database access."""
    return engine.Rules(
        version=version_id, levels=data["levels"], rates_bp=tuple(data["rates_bp"]),
        self_purchase=data["self_purchase"], cap_bp=data["cap_bp"],
        grade_rates_bp={int(k): tuple(v) for k, v in data["grade_rates_bp"].items()},
        product_overrides={int(pid): {int(level): engine.Override(mode, value) for level, (mode, value) in levels.items()}
                           for pid, levels in data["product_overrides"].items()},
    )


def _product_prices(product_ids=None):
    stmt = select(Product.id, Product.min_price_fen)
    if product_ids is not None:
        stmt = stmt.where(Product.id.in_(product_ids))
    return {pid: price for pid, price in db.session.execute(stmt)}


def validate_current(data):
    """Refuse (ServiceError, nothing changed by the caller's rollback) rules the guard does not pass. Reads only."""
    rules = rules_from_data(0, data)
    try:
        engine.validate_rules(rules, _product_prices([int(p) for p in data["product_overrides"]]))
    except engine.RuleError as err:
        raise ServiceError(err.message)


def current_version():
    """The newest rule version, created from the current rules when there is none.
    Joins the caller's transaction."""
    version = db.session.scalar(select(RuleVersion).order_by(RuleVersion.id.desc()).limit(1))
    if version is None:
        version = record_version("initial rules")
    return version


def record_version(reason, actor=None):
    """Validate the rules as they now stand and store them as a new version. Joins the caller's transaction."""
    data = snapshot_data()
    validate_current(data)
    version = RuleVersion(rules=data, reason=reason[:200], actor_id=actor.id if actor else None)
    db.session.add(version)
    db.session.flush()
    return version


def load_rules(version_id):
    """The engine Rules of a stored version. Reads only. A version never changes once stored, so on PostgreSQL,
    which never hands out an id twice, each is read once per process (every payment asks); SQLite may reuse the id
    of a rolled-back row, so there it is read every time."""
    cache = current_app.extensions.setdefault(_VERSIONS, {}) if is_postgresql() else {}
    if version_id not in cache:
        version = db.session.get(RuleVersion, version_id)
        cache[version_id] = rules_from_data(version.id, version.rules)
    return cache[version_id]


_VERSIONS = "shop_rule_versions"


def forget_versions(app):
    """Forget the versions read (tests empty the tables and restart the ids behind the process's back)."""
    app.extensions.pop(_VERSIONS, None)


GLOBAL_FIELDS = ("levels", "rate1_bp", "rate2_bp", "rate3_bp", "self_purchase", "cap_bp")


def proposed_rules(**values):
    """(the global columns as they would be, the whole snapshot data) with `values` replacing the current ones,
    through the guard (ServiceError if refused). Reads only: the policy preview and the save share it."""
    row = current_settings()
    wanted = {k: getattr(row, k) if values.get(k) is None else values[k] for k in GLOBAL_FIELDS}
    data = snapshot_data()
    data.update(levels=int(wanted["levels"]), rates_bp=[int(wanted[f"rate{i}_bp"]) for i in (1, 2, 3)],
                self_purchase=bool(wanted["self_purchase"]), cap_bp=int(wanted["cap_bp"]))
    validate_current(data)
    return wanted, data


def update_global_rules(actor=None, **values):
    """Change levels, rates, self-purchase or cap; refused above 3 levels or over the cap, changing nothing.
    Joins the caller's transaction (the admin's)."""
    row = current_settings()
    wanted = proposed_rules(**values)[0]
    for key, value in wanted.items():
        setattr(row, key, value)
    db.session.flush()
    return record_version("修改全局佣金规则", actor)


def set_product_commission(product_id, overrides, actor=None):
    """Replace a product's overrides: {level: (mode, value)}; an empty dict removes them.
    Joins the caller's transaction (the admin's)."""
    for level, (mode, value) in overrides.items():
        if mode not in (engine.PERCENT, engine.FIXED) or not 1 <= int(level) <= engine.MAX_LEVELS or int(value) < 0:
            raise ServiceError(_("商品佣金设置无效"))
    db.session.execute(ProductCommission.__table__.delete().where(ProductCommission.product_id == product_id))
    for level, (mode, value) in sorted(overrides.items()):
        db.session.add(ProductCommission(product_id=product_id, level=int(level), mode=mode, value=int(value)))
    db.session.flush()
    return record_version(f"修改商品 {product_id} 的佣金", actor)


def save_grade(actor=None, grade=None, **values):
    """Create or edit a grade (rates and upgrade conditions); rates pass the guard.
    Joins the caller's transaction (the admin's)."""
    name = (values.get("name") or "").strip()
    if not name or len(name) > 20:
        raise ServiceError(_("等级名称必填，最多20字"))
    rank = values.get("rank")
    if rank is None:
        rank = grade.rank if grade is not None else (db.session.scalar(select(func.max(Grade.rank))) or 0) + 1
    values["rank"] = int(rank)
    others = select(Grade.id).where(Grade.id != grade.id) if grade is not None else select(Grade.id)
    if db.session.scalar(others.where(Grade.name == name)):
        raise ServiceError(_("等级名称「%(name)s」已存在", name=name))
    if db.session.scalar(others.where(Grade.rank == values["rank"])):
        raise ServiceError(_("等级序号 %(rank)s 已被使用", rank=values["rank"]))
    for key in ("rate1_bp", "rate2_bp", "rate3_bp", "min_direct", "min_team_sales_fen", "min_own_paid_fen",
                "min_commission_fen"):
        if values.get(key) is not None and int(values[key]) < 0:
            raise ServiceError(_("等级的比例和条件不能为负数"))
    if grade is None:
        grade = Grade(name=name, rank=values["rank"])
        db.session.add(grade)
    for key in ("name", "rank", "rate1_bp", "rate2_bp", "rate3_bp", "min_direct", "min_team_sales_fen",
                "min_own_paid_fen", "min_commission_fen"):
        if key in values:
            setattr(grade, key, values[key] if key != "name" else name)
    db.session.flush()
    record_version(f"修改分销等级「{name}」", actor)
    return grade


def default_grade():
    """The lowest grade, given to new distributors. Reads only."""
    return db.session.scalar(select(Grade).order_by(Grade.rank).limit(1))


def upline_snapshot(buyer_id):
    """Who is at levels 1..3 above the buyer (and the buyer as a distributor), with grade and status. Reads only."""
    from .tree import ancestors

    chain = ancestors(buyer_id, max_depth=engine.MAX_LEVELS)
    ids = [buyer_id] + [a for a, _ in chain]
    dists = {d.user_id: d for d in db.session.scalars(select(Distributor).where(Distributor.user_id.in_(ids)))}

    def entry(user_id):
        d = dists.get(user_id)
        return {"user_id": user_id, "grade_id": d.grade_id if d else None, "active": bool(d and d.is_active)}

    buyer = dists.get(buyer_id)
    return {"buyer": entry(buyer_id) if buyer else None, "ancestors": [entry(a) for a, _ in chain]}


def snapshot_referrer(data):
    """The direct referrer's user id in an order's upline snapshot (its first ancestor), or None."""
    ancestors = (data or {}).get("ancestors") or []
    return ancestors[0]["user_id"] if ancestors and ancestors[0] else None


def upline_from_snapshot(data):
    """An engine Upline from an order's stored snapshot. No database access."""
    def beneficiary(entry):
        return engine.Beneficiary(entry["user_id"], entry["grade_id"], entry["active"]) if entry else None

    data = data or {"buyer": None, "ancestors": []}
    return engine.Upline(buyer=beneficiary(data["buyer"]), ancestors=tuple(beneficiary(e) for e in data["ancestors"]))
