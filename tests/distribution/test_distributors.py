"""Becoming a distributor, invite codes, grades, rules and the order's upline snapshot."""
import pytest
from sqlalchemy import select

from shop.accounts.models import User
from shop.distribution import binding, rules, services
from shop.distribution.models import Distributor, Grade, GradeChange, RuleVersion
from shop.errors import ServiceError


def register(client, phone):
    client.post("/register", data={"phone": phone, "password": "abc12345", "confirm": "abc12345"})
    client.post("/logout")


def test_everyone_mode_makes_every_new_member_a_distributor(client, db):
    register(client, "13812341111")
    user = db.session.scalar(select(User).where(User.phone == "13812341111"))
    d = db.session.get(Distributor, user.id)
    assert d is not None and d.source == "everyone" and d.is_active


def test_invite_codes_are_short_unique_and_not_sequential(db, make_user):
    codes = [services.become_distributor(make_user().id, "admin").invite_code for _ in range(30)]
    assert len(set(codes)) == 30
    assert all(len(c) == 6 and set(c) <= set(services.CODE_ALPHABET) for c in codes)
    assert not any(c in "0O1IL" for code in codes for c in code)


def test_becoming_a_distributor_is_idempotent(db, make_user):
    user = make_user()
    first = services.become_distributor(user.id, "admin")
    assert services.become_distributor(user.id, "everyone").invite_code == first.invite_code


def test_apply_mode_approve_and_reject(db, make_user, settings, make_staff):
    settings(distribution_mode="apply")
    admin, member, other = make_staff(), make_user(), make_user()
    application = services.apply(member, "王小明", "13911112222")
    with pytest.raises(ServiceError, match="审核中"):
        services.apply(member, "王小明", "13911112222")
    services.approve(application.id, admin)
    assert db.session.get(Distributor, member.id).source == "apply"
    with pytest.raises(ServiceError, match="已处理"):
        services.reject(application.id, admin, "重复")
    rejected = services.apply(other, "李四", "13911113333")
    with pytest.raises(ServiceError, match="拒绝原因"):
        services.reject(rejected.id, admin, " ")
    services.reject(rejected.id, admin, "资料不全")
    assert services.pending_application(other.id).reason == "资料不全"
    assert db.session.get(Distributor, other.id) is None
    # After a rejection the member may apply again.
    services.apply(other, "李四", "13911113333")


@pytest.mark.parametrize("name, phone, message", [("", "13911112222", "真实姓名"), ("x" * 41, "13911112222", "真实姓名"),
                                                  ("张三", "123", "手机号")])
def test_apply_refuses_bad_input(db, make_user, settings, name, phone, message):
    settings(distribution_mode="apply")
    with pytest.raises(ServiceError, match=message):
        services.apply(make_user(), name, phone)


def test_apply_only_in_apply_mode(db, make_user):
    with pytest.raises(ServiceError, match="无需申请"):
        services.apply(make_user(), "张三", "13911112222")


def test_threshold_mode(db, make_user, settings):
    settings(distribution_mode="threshold", distribution_threshold_fen=10000)
    user = make_user()
    binding.record_paid_order(user.id, 6000)
    assert db.session.get(Distributor, user.id) is None
    binding.record_paid_order(user.id, 4000)
    assert db.session.get(Distributor, user.id).source == "threshold"


def test_disabled_distributor_is_inactive_in_the_upline_snapshot(db, make_distributor, make_user):
    a = make_distributor()
    buyer = make_user()
    binding.bind_referrer(buyer.id, a.user_id, "link")
    services.set_active(a.user_id, False)
    snap = rules.upline_snapshot(buyer.id)
    assert snap["ancestors"] == [{"user_id": a.user_id, "grade_id": a.grade_id, "active": False}]
    assert snap["buyer"] is None


def test_grades_upgrade_on_events_and_never_downgrade(db, make_distributor, make_user, make_staff):
    rules.save_grade(name="普通", rank=1)
    silver = rules.save_grade(name="银牌", rank=2, rate1_bp=1200, min_direct=2)
    gold = rules.save_grade(name="金牌", rank=3, rate1_bp=1500, min_direct=2, min_team_sales_fen=50000)
    db.session.commit()
    a = make_distributor()
    assert a.grade.name == "普通"
    b, c = make_user(), make_user()
    binding.bind_referrer(b.id, a.user_id, "link")
    assert db.session.get(Distributor, a.user_id).grade_id != silver.id
    binding.bind_referrer(c.id, a.user_id, "link")
    assert db.session.get(Distributor, a.user_id).grade_id == silver.id
    binding.record_paid_order(b.id, 50000)
    assert db.session.get(Distributor, a.user_id).grade_id == gold.id
    changes = db.session.scalars(select(GradeChange).where(GradeChange.user_id == a.user_id)
                                 .order_by(GradeChange.id)).all()
    assert [(ch.to_grade_id, ch.reason.split(":")[0]) for ch in changes] == [(silver.id, "direct invitees"),
                                                                          (gold.id, "team sales")]
    # Figures dropping (a member moved away) never downgrade.
    binding.admin_move(b.id, None, make_staff(), "调整")
    binding.record_paid_order(c.id, 1)
    assert db.session.get(Distributor, a.user_id).grade_id == gold.id


def test_rules_are_versioned_and_guarded(db, make_product):
    first = rules.current_version()
    v2 = rules.update_global_rules(levels=3, rate1_bp=1000, rate2_bp=500, rate3_bp=200)
    assert v2.id > first.id and v2.rules["levels"] == 3
    with pytest.raises(ServiceError, match="传销"):
        rules.update_global_rules(levels=4)
    with pytest.raises(ServiceError):
        rules.update_global_rules(rate1_bp=4000, rate2_bp=2000)  # 60% > the 50% cap
    assert rules.current_settings().levels == 3 and rules.current_settings().rate1_bp == 1000
    p = make_product(skus=[(10000, 5, ["红", "M"])])
    with pytest.raises(ServiceError):
        rules.set_product_commission(p.id, {1: ("fixed", 20000)})  # above the price
    v3 = rules.set_product_commission(p.id, {1: ("fixed", 1500), 2: ("percent", 300)})
    assert v3.rules["product_overrides"][str(p.id)] == {"1": ["fixed", 1500], "2": ["percent", 300]}
    loaded = rules.load_rules(v3.id)
    assert loaded.product_overrides[p.id][1].value == 1500 and loaded.levels == 3
    # Old versions never change.
    assert db.session.get(RuleVersion, first.id).rules["levels"] == 2


def test_grade_rates_pass_the_guard(db):
    with pytest.raises(ServiceError):
        rules.save_grade(name="超级", rate1_bp=4500, rate2_bp=1000)
    db.session.rollback()
    assert db.session.scalar(select(Grade)) is None


def test_order_stores_upline_and_rule_version_and_ignores_rebinding(db, make_distributor, make_user, make_address,
                                                                     make_product, settings):
    from shop.orders.services import place_order

    settings(bind_valid_days=1)
    a, b = make_distributor(), make_distributor()
    buyer = make_user()
    from datetime import timedelta

    from shop.clock import utcnow
    binding.bind_referrer(buyer.id, b.user_id, "link", now=utcnow() - timedelta(hours=1))
    binding.bind_referrer(b.user_id, a.user_id, "link")
    p = make_product()
    order = place_order(buyer, [(p.skus[0].id, 1)], make_address(buyer).id)
    assert [e["user_id"] for e in order.upline["ancestors"]] == [b.user_id, a.user_id]
    assert order.rule_version_id == rules.current_version().id
    # The binding lapses and the buyer rebinds elsewhere: the order keeps its snapshot.
    c = make_distributor()
    assert binding.bind_referrer(buyer.id, c.user_id, "link", now=utcnow() + timedelta(days=2)) == binding.BOUND
    db.session.expire_all()
    from shop.orders.models import Order
    assert [e["user_id"] for e in db.session.get(Order, order.id).upline["ancestors"]] == [b.user_id, a.user_id]
    upline = rules.upline_from_snapshot(order.upline)
    assert upline.ancestors[0].user_id == b.user_id


def test_team_page_levels_pagination_and_search(db, make_distributor, make_user):
    a = make_distributor()
    level1 = [make_user(nickname=f"一级{i}") for i in range(25)]
    for u in level1:
        binding.bind_referrer(u.id, a.user_id, "link")
    grandchild = make_user(nickname="孙子", phone="13688886666")
    binding.bind_referrer(grandchild.id, level1[0].id, "link")
    db.session.commit()
    page1 = services.team_page(a.user_id, 1, page=1, per_page=20)
    page2 = services.team_page(a.user_id, 1, page=2, per_page=20)
    assert [u.id for u, _ in page1] == sorted((u.id for u in level1), reverse=True)[:20]
    assert len(page2) == 5 and not {u.id for u, _ in page1} & {u.id for u, _ in page2}
    assert [u.id for u, _ in services.team_page(a.user_id, 2)] == [grandchild.id]
    node = dict(services.team_page(a.user_id, 1, q="一级0"))[level1[0]]
    assert node.direct_count == 1
    assert [u.id for u, _ in services.team_page(a.user_id, 2, q="8886")] == [grandchild.id]
    assert services.team_page(a.user_id, 2, q="nobody") == []
    assert services.team_counts(a.user_id) == {1: 25, 2: 1, 3: 0}


def test_grade_names_and_ranks_are_unique_and_conditions_not_negative(db):
    rules.save_grade(name="普通", rank=1)
    with pytest.raises(ServiceError, match="已存在"):
        rules.save_grade(name="普通", rank=2)
    with pytest.raises(ServiceError, match="已被使用"):
        rules.save_grade(name="银牌", rank=1)
    with pytest.raises(ServiceError, match="负数"):
        rules.save_grade(name="银牌", rank=2, min_direct=-1)
    grade = rules.save_grade(name="银牌", rank=2)
    assert rules.save_grade(grade=grade, name="银牌+", rank=None).rank == 2
