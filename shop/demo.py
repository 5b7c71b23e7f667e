"""Demo data: categories, ~20 products with SKUs and Pillow-drawn images, accounts."""
import io
import random

from PIL import Image, ImageDraw
from sqlalchemy import select

from .accounts.models import User
from .catalog.images import save_image_bytes
from .catalog.models import Category, Product
from .catalog.services import save_product
from .database import transaction
from .extensions import db
from .staff.models import OWNER, Staff
from .staff.services import create_staff

ADMIN = ("13800000000", "admin123", "商家管理员")
SHOPPERS = [("13900000001", "demo123", "小明"), ("13900000002", "demo123", "小红"), ("13900000003", "demo123", "阿强")]

#: (top category, child category, [(title, subtitle, spec names, [(spec values, price fen, stock)], featured)])
CATALOG = [
    ("服装", "T恤", [
        ("纯棉圆领T恤", "新疆长绒棉 · 透气不闷", ["颜色", "尺码"],
         [(["白", "M"], 5900, 50), (["白", "L"], 5900, 40), (["黑", "M"], 5900, 30), (["黑", "XL"], 6900, 20)], True),
        ("宽松印花T恤", "潮流印花 · 男女同款", ["颜色", "尺码"],
         [(["灰", "M"], 7900, 25), (["灰", "L"], 7900, 25)], False),
        ("速干运动T恤", "跑步健身 · 轻薄速干", ["颜色", "尺码"],
         [(["蓝", "M"], 8900, 30), (["蓝", "L"], 8900, 30), (["红", "L"], 8900, 10)], False),
    ]),
    ("服装", "卫衣", [
        ("连帽加绒卫衣", "秋冬保暖 · 加厚抓绒", ["颜色", "尺码"],
         [(["藏青", "L"], 15900, 20), (["藏青", "XL"], 15900, 20), (["燕麦", "L"], 15900, 15)], True),
        ("圆领基础卫衣", "百搭纯色", ["颜色"], [(["黑"], 9900, 40), (["白"], 9900, 40)], False),
    ]),
    ("数码", "耳机", [
        ("降噪蓝牙耳机", "主动降噪 · 30小时续航", ["颜色"], [(["曜石黑"], 39900, 30), (["珍珠白"], 39900, 30)], True),
        ("运动挂耳耳机", "防汗防水 · 稳固不掉", ["颜色"], [(["橙"], 19900, 50)], False),
        ("有线入耳耳机", "Type-C 接口 · 带麦", [], [([], 4900, 100)], False),
    ]),
    ("数码", "充电", [
        ("65W 氮化镓充电器", "三口快充 · 小巧便携", ["接口"], [(["2C1A"], 12900, 60), (["1C"], 8900, 60)], True),
        ("20000mAh 充电宝", "双向快充 · 可上飞机", ["颜色"], [(["白"], 14900, 35), (["黑"], 14900, 35)], False),
        ("编织数据线", "1米/2米 · 耐弯折", ["长度"], [(["1米"], 2900, 200), (["2米"], 3900, 150)], False),
    ]),
    ("食品", "零食", [
        ("每日坚果礼盒", "7种坚果果干 · 30小包", ["规格"], [(["30包"], 12800, 80), (["15包"], 6900, 80)], True),
        ("手撕牛肉干", "内蒙古风干 · 香辣/原味", ["口味"], [(["香辣"], 5900, 60), (["原味"], 5900, 60)], False),
        ("海苔脆片", "儿童零食 · 低盐", [], [([], 1990, 300)], False),
    ]),
    ("食品", "茶饮", [
        ("明前龙井", "西湖产区 · 250g", ["规格"], [(["250g"], 29800, 20), (["100g"], 12800, 40)], True),
        ("云南普洱熟茶饼", "357g 老茶饼", [], [([], 16800, 25)], False),
        ("冻干咖啡粉", "0蔗糖 · 24颗", ["口味"], [(["美式"], 6900, 70), (["拿铁"], 7900, 70)], False),
    ]),
    ("家居", "收纳", [
        ("桌面收纳盒", "分格设计 · 透明可视", ["尺寸"], [(["小号"], 2900, 90), (["大号"], 3900, 90)], False),
        ("真空压缩袋", "8件套 · 送电泵", [], [([], 4900, 60)], False),
    ]),
    ("家居", "餐具", [
        ("日式陶瓷碗碟套装", "釉下彩 · 可进微波炉", ["件数"], [(["10件"], 15900, 30), (["20件"], 26900, 15)], True),
        ("不锈钢保温杯", "316不锈钢 · 500ml", ["颜色"], [(["雾蓝"], 8900, 45), (["奶白"], 8900, 45)], False),
    ]),
]

PALETTE = [(231, 76, 60), (52, 152, 219), (46, 204, 113), (155, 89, 182), (241, 196, 15), (230, 126, 34),
           (26, 188, 156), (52, 73, 94)]


def draw_product_image(seed, variant=0, size=600):
    """A PNG drawn from a seed: soft background, a few shapes; no downloaded pictures."""
    rnd = random.Random(seed * 31 + variant)
    base = PALETTE[seed % len(PALETTE)]
    img = Image.new("RGB", (size, size), tuple(min(255, c + 150) for c in base))
    draw = ImageDraw.Draw(img)
    for _ in range(6):
        x, y, r = rnd.randint(0, size), rnd.randint(0, size), rnd.randint(40, 160)
        shade = tuple(min(255, c + rnd.randint(40, 110)) for c in base)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=shade)
    pad = size // 5
    draw.rounded_rectangle((pad, pad, size - pad, size - pad), radius=40, fill=base)
    draw.rectangle((pad + 60, size // 2 - 10, size - pad - 60, size // 2 + 10), fill=(255, 255, 255))
    draw.text((pad + 20, size - pad - 40), f"No.{seed:02d}", fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _category(name, parent=None, sort=0):
    stmt = select(Category).where(Category.name == name,
                                  Category.parent_id.is_(None) if parent is None else Category.parent_id == parent.id)
    category = db.session.scalar(stmt)
    if category is None:
        category = Category(name=name, parent=parent, sort=sort)
        db.session.add(category)
        db.session.flush()
    return category


def demo_member(phone, password, nickname):
    """(the demo member with this phone, whether it was created now); joins the caller's transaction."""
    user = db.session.scalar(select(User).where(User.phone == phone))
    if user is not None:
        return user, False
    # The demo runs on the sandbox, without WeChat's authorization: its members come bound to a sandbox openid, so
    # they can withdraw to WeChat change (and confirm the transfer on the sandbox's page).
    user = User(phone=phone, nickname=nickname, wechat_openid=f"o-demo-{phone}")
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user, True


def _owner(login, password, name):
    """The demo merchant: a staff owner (the admin login), not a shopper."""
    if db.session.scalar(select(Staff.id).where(Staff.login == login)):
        return False
    create_staff(login, name, password, OWNER)
    return True


def seed_demo(echo=print):
    """Create what is missing of the demo data; running it again duplicates nothing.
    Owns its transactions: the catalog, the accounts and the distribution chain commit in turn."""
    total = sum(len(items) for _, _, items in CATALOG)
    done = created = 0
    tops = {}
    with transaction():
        for top_name, child_name, items in CATALOG:
            top = tops.get(top_name) or _category(top_name, sort=100 - len(tops))
            tops[top_name] = top
            child = _category(child_name, parent=top)
            for title, subtitle, spec_names, skus, featured in items:
                done += 1
                if db.session.scalar(select(Product.id).where(Product.title == title)):
                    echo(f"[{done}/{total}] {title}: already there")
                    continue
                paths = [save_image_bytes(draw_product_image(done, v)) for v in range(3)]
                save_product({
                    "title": title, "subtitle": subtitle, "category_id": child.id, "spec_names": spec_names,
                    "description": f"<p>{title}，{subtitle}。</p><p>正品保障 · 七天无理由退换。</p>",
                    "is_featured": featured, "sort": total - done, "image_paths": paths,
                    "skus": [{"spec_values": values, "price_fen": price, "original_price_fen": price * 13 // 10,
                              "stock": stock} for values, price, stock in skus],
                })
                created += 1
                echo(f"[{done}/{total}] {title}: created")
    with transaction():
        new = _owner(*ADMIN)
        echo(f"{'merchant admin':14s} {ADMIN[0]} / {ADMIN[1]}  (staff owner, log in at /admin/login)"
             + ("" if new else "  (already there)"))
        for phone, password, nickname in SHOPPERS:
            _, new = demo_member(phone, password, nickname)
            echo(f"{'shopper':14s} {phone} / {password}" + ("" if new else "  (already there)"))
    seed_distribution(echo)
    seed_marketing(echo)
    echo(f"demo data: {created} product(s) created, {total - created} already present")


#: The marketing tools' own demo data (each `seed_demo(echo)` duplicates nothing when run again).
MARKETING_DEMOS = ("shop.coupons", "shop.points.demo", "shop.assist", "shop.groupbuy.demo", "shop.flash.demo",
                   "shop.stores.demo", "shop.agents.demo")


def seed_marketing(echo=print):
    """Coupons, points, 助力免单 (and the activities, once they are added to MARKETING_DEMOS)."""
    import importlib
    for name in MARKETING_DEMOS:
        importlib.import_module(name).seed_demo(echo)


def seed_distribution(echo=print):
    """Grades, and a chain among the demo shoppers: 小明 invites 小红, 小红 invites 阿强. Owns its transaction."""
    from .distribution import binding, rules, services
    from .distribution.models import Grade

    with transaction():
        if db.session.scalar(select(Grade.id).limit(1)) is None:
            rules.save_grade(name="普通", rank=1)
            rules.save_grade(name="银牌", rank=2, rate1_bp=1200, rate2_bp=600, min_direct=3)
            rules.save_grade(name="金牌", rank=3, rate1_bp=1500, rate2_bp=800, min_direct=10,
                             min_team_sales_fen=1_000_000)
        rules.current_version()
        users = [db.session.scalar(select(User).where(User.phone == phone)) for phone, _, _ in SHOPPERS]
        for user in users:
            services.become_distributor(user.id, "admin")
        for child, parent in ((users[1], users[0]), (users[2], users[1])):
            binding.bind_referrer(child.id, parent.id, "admin")
    codes = ", ".join(f"{u.nickname} {services.get_distributor(u.id).invite_code}" for u in users)
    echo(f"distribution: 小明 → 小红 → 阿强; invite codes: {codes}")
