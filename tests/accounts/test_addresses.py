"""The address book: one default, owner checks, bad input."""
import pytest
from sqlalchemy import func, select

from shop.accounts.models import Address

GOOD = {"recipient": "李四", "phone": "13911112222", "province": "广东省", "city": "深圳市", "district": "南山区",
        "detail": "科技园 8 栋"}


def test_first_address_becomes_default_and_default_moves(client, db, make_user, login):
    user = make_user()
    login(user)
    assert client.post("/me/addresses/new", data=GOOD).status_code == 302
    assert client.post("/me/addresses/new", data={**GOOD, "recipient": "王五", "is_default": "y"}).status_code == 302
    rows = db.session.scalars(select(Address).order_by(Address.id)).all()
    assert [a.is_default for a in rows] == [False, True]
    client.post(f"/me/addresses/{rows[0].id}/default")
    db.session.expire_all()
    assert [a.is_default for a in db.session.scalars(select(Address).order_by(Address.id))] == [True, False]
    client.post(f"/me/addresses/{rows[0].id}/delete")
    assert db.session.scalar(select(Address)).is_default is True


@pytest.mark.parametrize("field, value", [("phone", "12"), ("recipient", ""), ("detail", "x" * 500),
                                          ("province", "")])
def test_bad_address_is_refused(client, db, make_user, login, field, value):
    login(make_user())
    resp = client.post("/me/addresses/new", data={**GOOD, field: value})
    assert resp.status_code == 200 and "field-error" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Address)) == 0


@pytest.mark.parametrize("method, path", [
    ("get", "/me/addresses/{id}/edit"), ("post", "/me/addresses/{id}/edit"),
    ("post", "/me/addresses/{id}/delete"), ("post", "/me/addresses/{id}/default"),
])
def test_stranger_cannot_touch_an_address(client, db, make_user, make_address, login, method, path):
    owner, stranger = make_user(), make_user()
    address = make_address(owner)
    login(stranger)
    resp = getattr(client, method)(path.format(id=address.id), data=GOOD)
    assert resp.status_code == 404
    db.session.expire_all()
    assert db.session.get(Address, address.id).recipient == "张三"


def test_address_pages_need_login(client):
    for path in ("/me", "/me/addresses", "/me/addresses/new", "/me/account", "/orders", "/checkout"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path


def test_database_allows_one_default_per_member(db, make_user, make_address):
    from sqlalchemy.exc import IntegrityError

    user = make_user()
    make_address(user)
    db.session.add(Address(user_id=user.id, recipient="x", phone="13900001111", province="a", city="b",
                           district="c", detail="d", is_default=True))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_change_password(client, db, make_user, login):
    user = make_user(password="old-pass1")
    login(user, "old-pass1")
    resp = client.post("/me/account", data={"form": "password", "w-old_password": "wrong", "w-password": "new-pass1",
                                            "w-confirm": "new-pass1"})
    assert "原密码错误" in resp.get_data(as_text=True)
    client.post("/me/account", data={"form": "password", "w-old_password": "old-pass1", "w-password": "new-pass1",
                                     "w-confirm": "new-pass1"})
    db.session.expire_all()
    assert db.session.get(type(user), user.id).check_password("new-pass1")
