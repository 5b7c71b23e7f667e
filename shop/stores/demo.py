"""Demo stores (real coordinates in Shanghai, Hangzhou and Suzhou) and a demo store clerk, who is a distributor too."""
from sqlalchemy import select

from ..database import transaction
from ..demo import demo_member
from ..extensions import db
from .models import MICRO, Store, StoreClerk

#: (name, province, city, district, detail, latitude, longitude, hours, phone)
STORES = [
    ("人民广场店", "上海市", "上海市", "黄浦区", "南京东路100号", 31.234850, 121.475160, "每天 9:00-21:00", "021-63210001"),
    ("陆家嘴店", "上海市", "上海市", "浦东新区", "世纪大道8号", 31.236330, 121.501650, "每天 10:00-22:00", "021-58880002"),
    ("徐家汇店", "上海市", "上海市", "徐汇区", "漕溪北路18号", 31.195560, 121.437380, "每天 10:00-21:30", "021-64870003"),
    ("西湖湖滨店", "浙江省", "杭州市", "上城区", "湖滨路28号", 30.257550, 120.163400, "每天 9:30-21:30", "0571-87010004"),
    ("杭州城西店", "浙江省", "杭州市", "西湖区", "文三路 90 号", 30.278310, 120.125120, "工作日 10:00-20:00", "0571-88830005"),
    ("苏州观前街店", "江苏省", "苏州市", "姑苏区", "观前街 66 号", 31.310160, 120.624690, "每天 9:00-21:00", "0512-65270006"),
]
#: The demo clerk: a member who is the clerk of the first store (and a distributor, as clerks may be).
CLERK = ("13900000009", "demo123", "店员小林")


def seed_demo(echo=print):
    """The demo stores and clerk, unless they exist; running it again duplicates nothing. Owns its transaction."""
    from ..distribution import services as distribution

    with transaction():
        stores = [_store(*row) for row in STORES]
        clerk, new = demo_member(*CLERK)
        if db.session.get(StoreClerk, clerk.id) is None:
            db.session.add(StoreClerk(user_id=clerk.id, store_id=stores[0].id))
        distribution.become_distributor(clerk.id, "admin")
    echo(f"stores: {len(STORES)} demo store(s) in 上海/杭州/苏州")
    echo(f"{'store clerk':14s} {CLERK[0]} / {CLERK[1]}  (clerk of {STORES[0][0]}, opens /store to redeem pickup codes)"
         + ("" if new else "  (already there)"))


def _store(name, province, city, district, detail, lat, lng, hours, phone):
    store = db.session.scalar(select(Store).where(Store.name == name))
    if store is None:
        store = Store(name=name, province=province, city=city, district=district, detail=detail,
                      lat_e6=round(lat * MICRO), lng_e6=round(lng * MICRO), hours=hours, phone=phone, photos=[])
        db.session.add(store)
        db.session.flush()
    return store
