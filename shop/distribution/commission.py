"""The commission engine: pure functions from order lines, the buyer's upline and the rules to shares.

No Flask, no database: the standard library and the shop's pure money formatting only, so every rule in DOMAIN.md ("Commission rules") can be
tested as a table. Money is int fen, rates are int basis points (10000 bp = 100%); never a float.
"""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..money import BP, format_bp, format_fen

#: Hard cap in code: China's 禁止传销条例 and WeChat's platform rules treat more than three levels
#: of commission as pyramid selling. No setting can raise it.
MAX_LEVELS = 3

# Override.mode
PERCENT = "percent"
FIXED = "fixed"
# Share.source: which rule applied, in precedence order.
PRODUCT, GRADE, GLOBAL = "product", "grade", "global"

#: For RuleError messages only (Chinese by design, see RuleError); pages use distribution.models.LEVELS.
_LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级"}
_TOO_MANY_LEVELS = "分销层级最多3级：依据《禁止传销条例》及微信平台规则，超过三级的返佣属于传销"


class RuleError(ValueError):
    """Commission rules the merchant may not save; `.message` is user-facing Chinese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Override:
    """A product's own rule for one level: "percent" (value = bp of the line base) or "fixed" (fen per unit)."""

    mode: str
    value: int


@dataclass(frozen=True)
class Rules:
    """One version of the merchant's commission rules."""

    version: int
    levels: int
    rates_bp: tuple[int, ...]
    self_purchase: bool = False
    cap_bp: int = 5000
    grade_rates_bp: Mapping[int, tuple[int | None, ...]] = field(default_factory=dict)
    product_overrides: Mapping[int, Mapping[int, Override]] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "rates_bp", tuple(self.rates_bp))


@dataclass(frozen=True)
class Line:
    """An order line as far as commission cares; `paid_fen` (after discounts, without shipping) is the base."""

    line_id: int
    product_id: int
    quantity: int
    unit_price_fen: int
    paid_fen: int


@dataclass(frozen=True)
class Beneficiary:
    """A member who may earn: inactive or disabled distributors earn nothing."""

    user_id: int
    grade_id: int | None
    active: bool


@dataclass(frozen=True)
class Upline:
    """The buyer and their referrer chain as stored on the order (index 0 = the referrer)."""

    buyer: Beneficiary | None
    ancestors: tuple[Beneficiary | None, ...]


@dataclass(frozen=True)
class Share:
    """One beneficiary's commission on one line at one level."""

    line_id: int
    level: int
    beneficiary_id: int
    amount_fen: int
    base_fen: int
    rate_bp: int | None
    fixed_fen: int | None
    source: str
    rule_version: int
    #: Units on the line: a fixed amount is per unit.
    quantity: int

    @property
    def full_amount_fen(self):
        """What the rule gave before the per-line cap clamped it."""
        return rule_amount(self.base_fen, self.rate_bp, self.fixed_fen, self.quantity)

    @property
    def clamped(self):
        return self.amount_fen < self.full_amount_fen


def rule_amount(base_fen: int, rate_bp: int | None, fixed_fen: int | None, quantity: int) -> int:
    """What a rule gives on a line before the cap guard clamps it: fixed fen per unit, or floor(base x rate)."""
    if fixed_fen is not None:
        return fixed_fen * quantity
    return base_fen * rate_bp // BP


def chain(upline: Upline, rules: Rules) -> list[Beneficiary | None]:
    """Who sits at levels 1..rules.levels; None where nobody does. Gaps stay gaps: nobody moves up."""
    _check_levels(rules.levels)
    buyer = upline.buyer
    seats = list(upline.ancestors)
    if rules.self_purchase and buyer is not None and buyer.active:
        seats.insert(0, buyer)
    seats = seats[:rules.levels]
    return seats + [None] * (rules.levels - len(seats))


def compute_shares(lines: Sequence[Line], upline: Upline, rules: Rules) -> list[Share]:
    """Every commission share the order pays, ordered by (line_id, level)."""
    seats = chain(upline, rules)
    _check_lines(lines)
    shares = []
    for line in sorted(lines, key=lambda ln: ln.line_id):
        shares.extend(_line_shares(line, seats, rules))
    return shares


def _line_shares(line, seats, rules):
    level_rules = seat_rules(rules, line.product_id, seats)
    amounts = level_amounts(line.paid_fen, line.quantity, level_rules, rules.cap_bp)
    return [Share(line_id=line.line_id, level=level, beneficiary_id=beneficiary.user_id, amount_fen=amount,
                  base_fen=line.paid_fen, rate_bp=rule[0], fixed_fen=rule[1], source=rule[2],
                  rule_version=rules.version, quantity=line.quantity)
            for level, (beneficiary, rule, amount) in enumerate(zip(seats, level_rules, amounts), start=1)
            if amount > 0]


def seat_rules(rules: Rules, product_id: int, seats: Sequence[Beneficiary | None]) -> tuple:
    """Each level's (rate_bp, fixed_fen, source) on a line of this product; None where nobody active sits."""
    return tuple(None if seat is None or not seat.active else _rule_for(rules, product_id, level, seat.grade_id)
                 for level, seat in enumerate(seats, start=1))


def level_amounts(paid_fen: int, quantity: int, level_rules: Sequence[tuple | None], cap_bp: int) -> list[int]:
    """What each level earns on one line (0 for an empty seat): the rule's amount, level 1 first, with the running
    total clamped to the cap and to what was paid."""
    # Defence in depth: validate_rules keeps the worst case within the cap at the lowest price, but a
    # fixed amount per unit does not shrink with discounts or coupons, so on a heavily discounted line it
    # can exceed the cap or even what was paid. The running total is clamped here, level 1 first.
    limit = min(paid_fen * max(cap_bp, 0) // BP, paid_fen)
    paid_out, amounts = 0, []
    for rule in level_rules:
        amount = 0 if rule is None else max(min(rule_amount(paid_fen, rule[0], rule[1], quantity), limit - paid_out), 0)
        paid_out += amount
        amounts.append(amount)
    return amounts


def _rule_for(rules, product_id, level, grade_id):
    """(rate_bp, fixed_fen, source) for one level: product override > grade rate > global rate."""
    override = rules.product_overrides.get(product_id, {}).get(level)
    if override is not None:
        if override.mode == FIXED:
            return None, override.value, PRODUCT
        if override.mode == PERCENT:
            return override.value, None, PRODUCT
        raise RuleError(f"商品 #{product_id} 的{_LEVEL_NAMES[level]}佣金方式无效：{override.mode!r}")
    grade_rate = _at(rules.grade_rates_bp.get(grade_id, ()), level) if grade_id is not None else None
    if grade_rate is not None:
        return grade_rate, None, GRADE
    return _at(rules.rates_bp, level) or 0, None, GLOBAL


def _at(rates, level):
    return rates[level - 1] if level <= len(rates) else None


def _check_levels(levels):
    if not _is_int(levels) or levels < 1:
        raise RuleError("分销层级至少1级")
    if levels > MAX_LEVELS:
        raise RuleError(_TOO_MANY_LEVELS)


def _check_lines(lines):
    seen = set()
    for line in lines:
        for name in ("quantity", "unit_price_fen", "paid_fen"):
            if not _is_int(getattr(line, name)):
                raise ValueError(f"line {line.line_id}: {name} must be int fen, got {getattr(line, name)!r}")
        if line.quantity < 1 or line.paid_fen < 0:
            raise ValueError(f"line {line.line_id}: quantity must be >= 1 and paid_fen >= 0")
        if line.line_id in seen:
            raise ValueError(f"line {line.line_id} appears twice")
        seen.add(line.line_id)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def validate_rules(rules: Rules, product_prices: Mapping[int, int] = {}) -> None:
    """Raise RuleError (Chinese, names the level or product) unless the merchant may save these rules.

    product_prices maps product_id -> that product's lowest unit price in fen; fixed overrides of a
    product missing from it are checked for sign only (compute_shares still clamps every line).
    """
    _check_levels(rules.levels)
    _check_bp(rules.cap_bp, "佣金封顶比例")
    if len(rules.rates_bp) < rules.levels:
        raise RuleError(f"缺少{_LEVEL_NAMES[len(rules.rates_bp) + 1]}的全局佣金比例")
    for level, rate in enumerate(rules.rates_bp, start=1):
        _check_bp(rate, f"{_level_name(level)}全局佣金比例")
    for grade_id, rates in rules.grade_rates_bp.items():
        for level, rate in enumerate(rates, start=1):
            if rate is not None:
                _check_bp(rate, f"等级 #{grade_id} 的{_level_name(level)}佣金比例")

    levels = range(1, rules.levels + 1)
    # The worst case at each level: whichever of the global rate and every grade's rate pays most.
    worst = {level: max([rules.rates_bp[level - 1]]
                        + [r for rates in rules.grade_rates_bp.values() if (r := _at(rates, level)) is not None])
             for level in levels}
    total = sum(worst.values())
    if total > rules.cap_bp:
        parts = " + ".join(f"{_LEVEL_NAMES[level]} {format_bp(worst[level])}" for level in levels)
        raise RuleError(f"各级佣金比例合计最高可达 {format_bp(total)}（{parts}，按全局与各等级中最高的比例计），"
                        f"超过封顶 {format_bp(rules.cap_bp)}")

    for product_id, overrides in rules.product_overrides.items():
        _check_product(product_id, overrides, worst, rules, product_prices.get(product_id))


def _check_product(product_id, overrides, worst, rules, lowest_price):
    for level, override in overrides.items():
        if not _is_int(level) or level < 1:
            raise RuleError(f"商品 #{product_id} 的佣金层级无效：{level!r}")
        if level > MAX_LEVELS:
            raise RuleError(f"商品 #{product_id} 的佣金设置了第{level}级。{_TOO_MANY_LEVELS}")
        what = f"商品 #{product_id} 的{_LEVEL_NAMES[level]}"
        if override.mode == PERCENT:
            _check_bp(override.value, what + "佣金比例")
        elif override.mode == FIXED:
            if not _is_int(override.value) or override.value < 0:
                raise RuleError(f"{what}固定佣金不能为负数，须为整数分，当前为 {override.value!r}")
            if lowest_price is not None and override.value > lowest_price:
                raise RuleError(f"{what}固定佣金 {format_fen(override.value)} 超过该商品最低售价 "
                                f"{format_fen(lowest_price)}")
        else:
            raise RuleError(f"{what}佣金方式无效：须为按比例（percent）或固定金额（fixed）")

    used = {level: overrides.get(level) for level in worst}
    percent_bp = sum(o.value if o is not None else worst[level]
                     for level, o in used.items() if o is None or o.mode == PERCENT)
    fixed_fen = sum(o.value for o in used.values() if o is not None and o.mode == FIXED)
    if fixed_fen == 0 or lowest_price is None:
        if percent_bp > rules.cap_bp:
            raise RuleError(f"商品 #{product_id} 的各级佣金比例合计最高可达 {format_bp(percent_bp)}，"
                            f"超过封顶 {format_bp(rules.cap_bp)}")
        return
    # Per unit at the lowest price, compared exactly in integers: fixed + price*bp/10000 <= price*cap/10000.
    if fixed_fen * BP + lowest_price * percent_bp > lowest_price * rules.cap_bp:
        worst_fen = fixed_fen + lowest_price * percent_bp // BP
        raise RuleError(f"商品 #{product_id} 每件佣金合计最高可达 {format_fen(worst_fen)}，超过最低售价 "
                        f"{format_fen(lowest_price)} 的封顶 {format_bp(rules.cap_bp)}"
                        f"（{format_fen(lowest_price * rules.cap_bp // BP)}）")


def _check_bp(value, what):
    if not _is_int(value):
        raise RuleError(f"{what}须为整数基点（1% = 100），当前为 {value!r}")
    if not 0 <= value <= BP:
        raise RuleError(f"{what}须在 0% 到 100% 之间，当前为 {format_bp(value)}")


def _level_name(level):
    return _LEVEL_NAMES.get(level, f"第{level}级")
