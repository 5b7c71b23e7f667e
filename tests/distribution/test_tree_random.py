"""Random bindings and admin moves keep the closure table and the counters exact."""
import random

import pytest

from shop.distribution import binding, tree
from shop.distribution.models import ReferralNode
from shop.errors import ServiceError
from tests.distribution.test_binding import assert_paths_match_referrers


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_operations_keep_the_tree_consistent(db, make_distributor, make_user, seed, make_staff):
    rnd = random.Random(seed)
    admin = make_staff()
    members = [make_distributor().user_id for _ in range(25)]
    paid = {}
    for _ in range(120):
        op = rnd.random()
        a, b = rnd.choice(members), rnd.choice(members)
        if op < 0.5:
            binding.bind_referrer(a, b, "link")
        elif op < 0.8:
            try:
                binding.admin_move(a, rnd.choice([b, None]), admin, "random move")
            except ServiceError:
                pass
        else:
            amount = rnd.randint(1, 10_000)
            binding.record_paid_order(a, amount)
            paid[a] = paid.get(a, 0) + amount
    db.session.commit()
    assert_paths_match_referrers(db)
    db.session.expire_all()
    for uid in members:
        node = db.session.get(ReferralNode, uid)
        assert tree.recount(uid) == {"direct_count": node.direct_count, "level2_count": node.level2_count,
                                     "level3_count": node.level3_count}
        below = [d for d in members if d != uid and tree.is_in_subtree(uid, d)]
        assert node.team_sales_fen == sum(paid.get(d, 0) for d in below)
        assert node.own_paid_fen == paid.get(uid, 0)
