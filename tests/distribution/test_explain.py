"""A commission explains itself from what it stores (level, base, rate or fixed amount and quantity, rule
source), in the reader's language."""
import flask_babel
import pytest

from shop.distribution.commission import Share
from shop.distribution.explain import explain


def share(level, amount_fen, base_fen, rate_bp=None, fixed_fen=None, source="global", quantity=1):
    return Share(line_id=1, level=level, beneficiary_id=1, amount_fen=amount_fen, base_fen=base_fen, rate_bp=rate_bp,
                 fixed_fen=fixed_fen, source=source, rule_version=1, quantity=quantity)


@pytest.mark.parametrize("commission, chinese, english", [
    (share(1, 1000, 10000, rate_bp=1000), "一级佣金：实付 ¥100.00 × 10.00% = ¥10.00（全局比例）",
     "Level 1 commission: paid ¥100.00 × 10.00% = ¥10.00 (Global rate)"),
    (share(3, 266, 8880, rate_bp=300), "三级佣金：实付 ¥88.80 × 3.00% = ¥2.66（全局比例）",
     "Level 3 commission: paid ¥88.80 × 3.00% = ¥2.66 (Global rate)"),
    (share(3, 33, 999, rate_bp=333, source="grade"), "三级佣金：实付 ¥9.99 × 3.33% = ¥0.33（分销等级比例）",
     "Level 3 commission: paid ¥9.99 × 3.33% = ¥0.33 (Grade rate)"),
    (share(1, 125, 2500, rate_bp=500, source="product"), "一级佣金：实付 ¥25.00 × 5.00% = ¥1.25（商品单独设置）",
     "Level 1 commission: paid ¥25.00 × 5.00% = ¥1.25 (Product’s own rule)"),
    (share(2, 600, 30000, fixed_fen=200, source="product", quantity=3),
     "二级佣金：每件 ¥2.00 × 3 件 = ¥6.00（商品单独设置）",
     "Level 2 commission: ¥2.00 per item × 3 items = ¥6.00 (Product’s own rule)"),
    # The cap guard clamped a fixed amount that exceeded what a heavily discounted line paid.
    (share(1, 2000, 4000, fixed_fen=3000, source="product", quantity=2),
     "一级佣金：每件 ¥30.00 × 2 件 = ¥60.00，受佣金封顶限制实得 ¥20.00（商品单独设置）",
     "Level 1 commission: ¥30.00 per item × 2 items = ¥60.00, limited by the commission cap to ¥20.00 "
     "(Product’s own rule)"),
])
def test_explanation_in_each_language(app, commission, chinese, english):
    for lang, text in (("zh", chinese), ("en", english)):
        with app.test_request_context(f"/?lang={lang}"):
            flask_babel.refresh()  # the locale is cached on the app context, which outlives this request
            assert explain(commission) == text
