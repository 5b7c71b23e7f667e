"""Admin 门店: create and edit stores, photos, clerks by phone, the list's figures in a fixed number of statements,
a store's members and sales; who may do what."""
import io

import pytest
from PIL import Image

from shop.sql import count_statements
from shop.staff.models import OperationLog
from shop.stores.models import Store, StoreClerk, StoreMember
from tests.conftest import login_staff
from tests.stores.conftest import WEST_LAKE

FORM = {"name": "西湖店", "province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": "北山街1号",
        "latitude": "30.242865", "longitude": "120.148738", "hours": "9:00-21:00", "phone": "0571-1234567",
        "is_open": "y"}


@pytest.fixture
def owner(client, make_staff):
    staff = make_staff(role="owner")
    login_staff(client, staff)
    return staff


def test_create_edit_and_log(client, db, owner):
    resp = client.post("/admin/stores/new", data=FORM)
    assert resp.status_code == 302
    store = db.session.query(Store).one()
    assert (store.lat_e6, store.lng_e6, store.city, store.is_open) == (30_242_865, 120_148_738, "杭州市", True)
    resp = client.post(f"/admin/stores/{store.id}/edit", data={**FORM, "name": "西湖旗舰店", "is_open": ""})
    assert resp.status_code == 302
    db.session.refresh(store)
    assert store.name == "西湖旗舰店" and not store.is_open
    logs = db.session.query(OperationLog).filter_by(area="stores").all()
    assert len(logs) == 2


@pytest.mark.parametrize("field, value, message", [
    ("latitude", "91", "纬度应为 -90 到 90"), ("longitude", "east", "经度应为 -180 到 180"),
    ("name", "", "请填写门店名称"), ("name", "店" * 61, "门店名称最多60字"), ("city", "", "请填写城市"),
])
def test_bad_input_is_refused_on_its_field(client, db, owner, field, value, message):
    resp = client.post("/admin/stores/new", data={**FORM, field: value})
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert db.session.query(Store).count() == 0


def test_edit_form_shows_degrees(client, owner, make_store):
    store = make_store("西湖店", at=WEST_LAKE, city="杭州市")
    html = client.get(f"/admin/stores/{store.id}/edit").get_data(as_text=True)
    assert 'value="30.242865"' in html and 'value="120.148738"' in html


def test_clerks_by_phone(client, db, owner, make_store, make_user):
    store, other = make_store(), make_store("西湖店", at=WEST_LAKE, city="杭州市")
    member = make_user(nickname="小王", phone="13600000051")
    client.post(f"/admin/stores/{store.id}/clerks", data={"clerk-phone": "13600000051"})
    assert db.session.get(StoreClerk, member.id).store_id == store.id
    page = client.get(f"/admin/stores/{store.id}").get_data(as_text=True)
    assert "小王" in page and "136****0051" in page
    client.post(f"/admin/stores/{other.id}/clerks", data={"clerk-phone": "13600000051"})
    assert "小王 已是「人民广场店」的店员" in client.get(f"/admin/stores/{other.id}").get_data(as_text=True)
    client.post(f"/admin/stores/{store.id}/clerks", data={"clerk-phone": "13999999999"})
    assert "没有手机号为 13999999999 的会员" in client.get(f"/admin/stores/{store.id}").get_data(as_text=True)
    client.post(f"/admin/stores/{other.id}/clerks/{member.id}/remove")
    assert db.session.get(StoreClerk, member.id) is not None  # not that store's clerk
    client.post(f"/admin/stores/{store.id}/clerks/{member.id}/remove")
    assert db.session.get(StoreClerk, member.id) is None


def png():
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    return buf.getvalue()


def test_photos(client, db, owner, make_store):
    store = make_store()
    client.post(f"/admin/stores/{store.id}/photos", data={"photo-photo": (io.BytesIO(png()), "a.png")},
                content_type="multipart/form-data")
    db.session.refresh(store)
    assert len(store.photo_list) == 1 and store.photo_list[0].endswith(".png")
    client.post(f"/admin/stores/{store.id}/photos", data={"photo-photo": (io.BytesIO(b"not an image"), "a.png")},
                content_type="multipart/form-data")
    assert "只支持 JPG、PNG、WEBP、GIF 图片" in client.get(f"/admin/stores/{store.id}").get_data(as_text=True)
    client.post(f"/admin/stores/{store.id}/photos/remove", data={"index": "0"})
    db.session.refresh(store)
    assert store.photo_list == []


def test_list_figures_without_n_plus_one(client, db, owner, make_store, make_clerk, make_user, pickup_order):
    first = make_store()
    make_clerk(first, phone="13600000061")
    pickup_order(first)
    pickup_order(first, quantity=2)

    def statements():
        with count_statements() as seen:
            html = client.get("/admin/stores").get_data(as_text=True)
        return len(seen), html

    few, html = statements()
    assert "¥300.00" in html
    for i in range(5):
        store = make_store(f"分店{i}", at=WEST_LAKE, city="杭州市")
        make_clerk(store, phone=f"1360000007{i}")
        db.session.add(StoreMember(user_id=make_user(phone=f"1360000008{i}").id, store_id=store.id))
        db.session.commit()
    many, html = statements()
    assert many == few and "分店4" in html


def test_detail_shows_members_and_sales(client, db, owner, make_store, make_user, pickup_order):
    store = make_store()
    db.session.add(StoreMember(user_id=make_user(nickname="门店粉丝", phone="13600000091").id, store_id=store.id))
    db.session.commit()
    pickup_order(store)
    html = client.get(f"/admin/stores/{store.id}").get_data(as_text=True)
    assert "门店粉丝" in html and "¥100.00" in html


@pytest.mark.parametrize("role, may_write", [("operator", True), ("viewer", False), ("finance", False)])
def test_roles(client, db, make_staff, make_store, role, may_write):
    store = make_store()
    login_staff(client, make_staff(role=role))
    assert client.get("/admin/stores").status_code == 200
    assert client.get(f"/admin/stores/{store.id}").status_code == 200
    resp = client.post(f"/admin/stores/{store.id}/edit", data={**FORM, "name": "改名"})
    assert resp.status_code == (302 if may_write else 403)
    db.session.refresh(store)
    assert (store.name == "改名") == may_write


@pytest.mark.parametrize("query", ["sort=name&dir=asc", "sort=region", "sort=bogus&dir=up", "open=0", "city=杭州市",
                                   "q=%25", "page=abc"])
def test_list_arguments_never_fail(client, owner, make_store, query):
    make_store()
    assert client.get(f"/admin/stores?{query}").status_code == 200


def test_empty_list(client, owner):
    assert "还没有门店" in client.get("/admin/stores").get_data(as_text=True)


@pytest.mark.parametrize("key", ["name", "region", "created"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sortable_columns(client, owner, make_store, key, direction):
    make_store("B店", at=WEST_LAKE, city="杭州市", province="浙江省")
    make_store("A店")
    html = client.get(f"/admin/stores?sort={key}&dir={direction}").get_data(as_text=True)
    aria = {"asc": "ascending", "desc": "descending"}[direction]
    assert f'aria-sort="{aria}"><a href="' in html and f'data-sort="{key}"' in html
    if key == "name":
        assert (html.index("A店") < html.index("B店")) == (direction == "asc")
    if key == "region":  # 上海市 sorts before 浙江省 in code-point order
        assert (html.index("A店") < html.index("B店")) == (direction == "asc")
