"""Binding rules: invite links, codes, cycles at any depth, scope, moment and lapse."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.clock import utcnow
from shop.distribution import binding, tree
from shop.distribution.models import BindingLog, ReferralNode, ReferralPath


def referrer_of(db, user_id):
    db.session.expire_all()
    node = db.session.get(ReferralNode, user_id)
    return node.referrer_id if node else None


def assert_paths_match_referrers(db):
    """The closure table holds exactly the paths implied by each node's referrer."""
    parents = dict(db.session.execute(select(ReferralNode.user_id, ReferralNode.referrer_id)).all())
    expected = set()
    for node in parents:
        depth, current = 0, node
        while current is not None:
            expected.add((current, node, depth))
            current, depth = parents.get(current), depth + 1
    actual = set(db.session.execute(select(ReferralPath.ancestor_id, ReferralPath.descendant_id,
                                           ReferralPath.depth)).all())
    assert actual == expected


def chain(db, make_distributor, n):
    """n distributors, each bound to the previous one: [d0 <- d1 <- ... <- d(n-1)]."""
    ds = [make_distributor()]
    for _ in range(n - 1):
        d = make_distributor()
        assert binding.bind_referrer(d.user_id, ds[-1].user_id, "link") == binding.BOUND
        ds.append(d)
    db.session.commit()
    return ds


def test_invite_link_binds_a_visitor_through_registration(client, db, make_distributor):
    a = make_distributor()
    resp = client.get(f"/i/{a.invite_code}")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    with client.session_transaction() as sess:  # the visitor's session remembers the referral
        assert sess[binding.SESSION_KEY] == {"code": a.invite_code, "source": "link"}
    client.post("/register", data={"phone": "13812340000", "password": "abc12345", "confirm": "abc12345"})
    from shop.accounts.models import User
    user = db.session.scalar(select(User).where(User.phone == "13812340000"))
    assert referrer_of(db, user.id) == a.user_id
    node = db.session.get(ReferralNode, user.id)
    assert (node.bind_source, node.bind_code) == ("link", a.invite_code)
    log = db.session.scalar(select(BindingLog))
    assert (log.user_id, log.new_referrer_id, log.source) == (user.id, a.user_id, "link")


def test_share_link_on_a_product_binds_with_source_share(client, db, make_distributor, make_product, make_user, login):
    a = make_distributor()
    p = make_product()
    b = make_user()
    login(b)
    assert client.get(f"/p/{p.id}?ref={a.invite_code}").status_code == 200
    assert referrer_of(db, b.id) == a.user_id
    assert db.session.get(ReferralNode, b.id).bind_source == "share"


def test_qr_source_and_typed_code(client, db, make_distributor):
    a, c = make_distributor(), make_distributor()
    client.get(f"/i/{a.invite_code}?via=qr")
    # A code typed at registration wins over the link seen earlier.
    client.post("/register", data={"phone": "13812340001", "password": "abc12345", "confirm": "abc12345",
                                   "invite_code": c.invite_code.lower()})
    from shop.accounts.models import User
    user = db.session.scalar(select(User).where(User.phone == "13812340001"))
    node = db.session.get(ReferralNode, user.id)
    assert (node.referrer_id, node.bind_source) == (c.user_id, "code")


@pytest.mark.parametrize("code, status", [("NOSUCH", 302), ("x" * 200, 302), ("<script>", 302),
                                          ("", 404),  # /i/ is no invite link
                                          ("%00", 302)])
def test_unknown_codes_are_ignored_politely(client, db, code, status):
    assert client.get(f"/i/{code}").status_code == status
    assert client.get(f"/?ref={code}").status_code == 200
    with client.session_transaction() as sess:
        assert binding.SESSION_KEY not in sess


def test_disabled_distributor_code_is_ignored(client, db, make_distributor, make_user, login):
    from shop.distribution.services import set_active
    a = make_distributor()
    set_active(a.user_id, False)
    db.session.commit()
    b = make_user()
    login(b)
    client.get(f"/?ref={a.invite_code}")
    assert referrer_of(db, b.id) is None


def test_never_to_oneself(db, make_distributor):
    a = make_distributor()
    assert binding.bind_referrer(a.user_id, a.user_id, "link") == binding.REFUSED_SELF


@pytest.mark.parametrize("depth", range(1, 11))
def test_cycles_refused_at_any_depth(db, make_distributor, depth):
    ds = chain(db, make_distributor, depth + 1)
    top, bottom = ds[0], ds[-1]
    # The top member may not bind under their own descendant `depth` levels down.
    assert binding.bind_referrer(top.user_id, bottom.user_id, "link") == binding.REFUSED_CYCLE
    assert referrer_of(db, top.user_id) is None


def test_a_valid_binding_is_never_replaced(db, make_distributor):
    a, b, c = make_distributor(), make_distributor(), make_distributor()
    assert binding.bind_referrer(c.user_id, a.user_id, "link") == binding.BOUND
    assert binding.bind_referrer(c.user_id, b.user_id, "link") == binding.REFUSED_ALREADY
    assert referrer_of(db, c.user_id) == a.user_id


def test_a_lapsed_temporary_binding_is_replaced(db, make_distributor, settings):
    settings(bind_valid_days=30)
    a, b, c = make_distributor(), make_distributor(), make_distributor()
    long_ago = utcnow() - timedelta(days=31)
    assert binding.bind_referrer(c.user_id, a.user_id, "link", now=long_ago) == binding.BOUND
    assert binding.bind_referrer(c.user_id, b.user_id, "link") == binding.BOUND
    assert referrer_of(db, c.user_id) == b.user_id
    db.session.expire_all()
    assert db.session.get(ReferralNode, a.user_id).direct_count == 0
    assert db.session.get(ReferralNode, b.user_id).direct_count == 1


def test_a_paid_order_renews_a_temporary_binding(db, make_distributor, settings):
    settings(bind_valid_days=30)
    a, b, c = make_distributor(), make_distributor(), make_distributor()
    binding.bind_referrer(c.user_id, a.user_id, "link", now=utcnow() - timedelta(days=40))
    binding.record_paid_order(c.user_id, 1000, now=utcnow() - timedelta(days=5))
    assert binding.bind_referrer(c.user_id, b.user_id, "link") == binding.REFUSED_ALREADY


def test_only_new_members_refuses_an_existing_member(client, db, make_distributor, make_user, login, settings):
    settings(bind_scope="new")
    a = make_distributor()
    old = make_user()
    login(old)
    client.get(f"/i/{a.invite_code}")
    assert referrer_of(db, old.id) is None
    client.post("/logout")
    client.get(f"/i/{a.invite_code}")
    client.post("/register", data={"phone": "13812340002", "password": "abc12345", "confirm": "abc12345"})
    from shop.accounts.models import User
    new = db.session.scalar(select(User).where(User.phone == "13812340002"))
    assert referrer_of(db, new.id) == a.user_id


def test_anonymous_referral_survives_until_sms_login(client, db, make_distributor):
    from tests.accounts.test_auth import last_code
    a = make_distributor()
    client.get(f"/search?q=x&ref={a.invite_code}")
    client.get("/category")  # navigating does not lose it
    client.post("/sms/send", data={"phone": "13712340000"})
    client.post("/login/sms", data={"phone": "13712340000", "code": last_code("13712340000")})
    from shop.accounts.models import User
    user = db.session.scalar(select(User).where(User.phone == "13712340000"))
    assert referrer_of(db, user.id) == a.user_id


def test_binding_at_first_paid_order(db, make_distributor, make_user, settings):
    settings(bind_moment="paid")
    a, b = make_distributor(), make_distributor()
    c = make_user()
    assert binding.bind_referrer(c.id, a.user_id, "link") == binding.PENDING
    assert binding.bind_referrer(c.id, b.user_id, "link") == binding.PENDING  # the first referral is kept
    assert referrer_of(db, c.id) is None
    binding.record_paid_order(c.id, 5000)
    assert referrer_of(db, c.id) == a.user_id
    db.session.expire_all()
    assert db.session.get(ReferralNode, a.user_id).team_sales_fen == 5000


def test_pending_referral_that_became_a_cycle_is_dropped(db, make_distributor, settings):
    settings(bind_moment="paid")
    a, b = make_distributor(), make_distributor()
    assert binding.bind_referrer(a.user_id, b.user_id, "link") == binding.PENDING
    settings(bind_moment="visit")
    assert binding.bind_referrer(b.user_id, a.user_id, "link") == binding.BOUND
    binding.record_paid_order(a.user_id, 100)
    assert referrer_of(db, a.user_id) is None


def test_closure_table_and_counters_follow_bindings(db, make_distributor):
    a, b, c, d = chain(db, make_distributor, 4)
    assert tree.ancestors(d.user_id) == [(c.user_id, 1), (b.user_id, 2), (a.user_id, 3)]
    db.session.expire_all()
    node_a = db.session.get(ReferralNode, a.user_id)
    assert (node_a.direct_count, node_a.level2_count, node_a.level3_count) == (1, 1, 1)
    assert tree.recount(a.user_id) == {"direct_count": 1, "level2_count": 1, "level3_count": 1}


def test_admin_move_keeps_the_tree_consistent(db, make_distributor, make_user, make_staff):
    admin = make_staff()
    a, b, c, d = chain(db, make_distributor, 4)       # a <- b <- c <- d
    x = make_distributor()
    binding.record_paid_order(d.user_id, 700)
    binding.admin_move(c.user_id, x.user_id, admin, "客户申诉，调整上级")  # c (with d) moves under x
    db.session.commit()
    assert tree.ancestors(d.user_id) == [(c.user_id, 1), (x.user_id, 2)]
    assert tree.ancestors(c.user_id) == [(x.user_id, 1)]
    db.session.expire_all()
    for uid in (a.user_id, b.user_id, c.user_id, x.user_id):
        node = db.session.get(ReferralNode, uid)
        assert tree.recount(uid) == {"direct_count": node.direct_count, "level2_count": node.level2_count,
                                     "level3_count": node.level3_count}, uid
    assert db.session.get(ReferralNode, a.user_id).team_sales_fen == 0
    assert db.session.get(ReferralNode, b.user_id).team_sales_fen == 0
    assert db.session.get(ReferralNode, x.user_id).team_sales_fen == 700
    assert_paths_match_referrers(db)
    from shop.errors import ServiceError
    with pytest.raises(ServiceError, match="循环"):
        binding.admin_move(x.user_id, d.user_id, admin, "试试循环")
    with pytest.raises(ServiceError, match="原因"):
        binding.admin_move(c.user_id, None, admin, "")
