"""Members brought in through a store clerk's invite link belong to the store; clerks are distributors as usual."""
from shop.distribution import binding
from shop.stores.models import StoreMember
from tests.stores.conftest import WEST_LAKE


def test_binding_to_a_clerk_attributes_the_member(db, make_user, make_distributor, make_store, make_clerk):
    store = make_store()
    clerk_distributor = make_distributor(nickname="店员分销员", phone="13600000011")
    make_clerk(store, user=clerk_distributor.user)
    member = make_user(phone="13600000012")
    assert binding.bind_from_code(member, clerk_distributor.invite_code, "link") == binding.BOUND
    db.session.commit()
    row = db.session.get(StoreMember, member.id)
    assert row.store_id == store.id and row.clerk_id == clerk_distributor.user_id


def test_ordinary_referrers_attribute_nobody(db, make_user, make_distributor, make_store):
    make_store()
    referrer = make_distributor(phone="13600000021")
    member = make_user(phone="13600000022")
    assert binding.bind_from_code(member, referrer.invite_code, "link") == binding.BOUND
    db.session.commit()
    assert db.session.get(StoreMember, member.id) is None


def test_attribution_is_set_once_and_admin_moves_keep_it(db, make_user, make_distributor, make_store, make_clerk):
    first, second = make_store(), make_store("西湖店", at=WEST_LAKE, city="杭州市")
    a = make_distributor(phone="13600000031")
    b = make_distributor(phone="13600000032")
    make_clerk(first, user=a.user)
    make_clerk(second, user=b.user)
    member = make_user(phone="13600000033")
    binding.bind_from_code(member, a.invite_code, "link")
    db.session.commit()
    binding.admin_move(member.id, b.user_id, None, "调整")
    db.session.commit()
    assert db.session.get(StoreMember, member.id).store_id == first.id


def test_invite_link_page_attributes(client, login, db, make_user, make_distributor, make_store, make_clerk):
    store = make_store()
    clerk = make_distributor(phone="13600000041")
    make_clerk(store, user=clerk.user)
    member = make_user(phone="13600000042")
    login(member)
    client.get(f"/i/{clerk.invite_code}")
    assert db.session.get(StoreMember, member.id).store_id == store.id
