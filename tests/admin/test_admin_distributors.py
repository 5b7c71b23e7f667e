"""分销商 and 分销商申请 in the admin: applications, the distributor list and page, disabling, 调整上级."""
import pytest
from sqlalchemy import select

from shop.distribution import binding, rules, services, tree
from shop.distribution.models import Application, BindingLog, Distributor, ReferralNode
from shop.sql import count_statements


def node(db, user_id):
    db.session.expire_all()
    return db.session.get(ReferralNode, user_id)


def counts(db, distributor):
    n = node(db, distributor.user_id)
    return n.direct_count, n.level2_count, n.level3_count


# ---- 分销商申请 ------------------------------------------------------------------------------------------

@pytest.fixture
def make_application(db, make_user, settings):
    """Factory: make_application(real_name='王小明', **user_columns) -> a pending Application (committed)."""
    settings(distribution_mode="apply")

    def make(real_name="王小明", **kw):
        application = services.apply(make_user(**kw), real_name, "13911112222")
        db.session.commit()
        return application

    return make


def application_status(db, application):
    db.session.expire_all()
    return db.session.get(Application, application.id).status


def test_pending_applications_are_listed(client, staff, make_application):
    make_application("王小明", nickname="小明")
    make_application("李四")
    html = client.get("/admin/distribution/applications").get_data(as_text=True)
    assert "王小明" in html and "李四" in html and "小明" in html and "13911112222" in html
    assert "拒绝原因" in html


def test_approve_makes_the_member_a_distributor(client, db, staff, make_application):
    application = make_application()
    resp = client.post(f"/admin/distribution/applications/{application.id}/approve", follow_redirects=True)
    assert "已通过「王小明」的申请" in resp.get_data(as_text=True)
    assert application_status(db, application) == "approved"
    distributor = db.session.get(Distributor, application.user_id)
    assert distributor is not None and distributor.source == "apply" and distributor.is_active
    assert db.session.get(Application, application.id).decided_by == staff.id
    assert "王小明" not in client.get("/admin/distribution/applications").get_data(as_text=True)
    assert "已通过" in client.get("/admin/distribution/applications?status=done").get_data(as_text=True)


def test_reject_needs_a_reason(client, db, staff, make_application):
    application = make_application()
    resp = client.post(f"/admin/distribution/applications/{application.id}/reject", data={"reason": "  "})
    assert resp.status_code == 400
    assert "请填写拒绝原因" in resp.get_data(as_text=True)
    assert application_status(db, application) == "pending"

    resp = client.post(f"/admin/distribution/applications/{application.id}/reject", data={"reason": "资料不全"})
    assert resp.status_code == 302
    assert application_status(db, application) == "rejected"
    assert db.session.get(Application, application.id).reason == "资料不全"
    assert db.session.get(Distributor, application.user_id) is None
    html = client.get("/admin/distribution/applications?status=done").get_data(as_text=True)
    assert "已拒绝" in html and "资料不全" in html


def test_an_application_is_decided_only_once(client, db, staff, make_application):
    application = make_application()
    client.post(f"/admin/distribution/applications/{application.id}/reject", data={"reason": "资料不全"})
    resp = client.post(f"/admin/distribution/applications/{application.id}/approve", follow_redirects=True)
    assert "该申请已处理" in resp.get_data(as_text=True)
    assert application_status(db, application) == "rejected"
    assert db.session.get(Distributor, application.user_id) is None


def test_unknown_applications_are_404(client, staff):
    assert client.post("/admin/distribution/applications/999/approve").status_code == 404
    assert client.post("/admin/distribution/applications/999/reject", data={"reason": "x"}).status_code == 404


# ---- 分销商 list ------------------------------------------------------------------------------------------

def test_list_shows_each_distributor_with_their_figures(client, db, staff, make_distributor):
    rules.save_grade(name="普通", rank=1)
    db.session.commit()
    a = make_distributor(nickname="团长阿强")
    b = make_distributor(referrer=a)
    make_distributor(referrer=b)
    binding.record_paid_order(b.user_id, 12345)
    db.session.commit()

    html = client.get("/admin/distribution/distributors").get_data(as_text=True)

    row = html.split("团长阿强")[1].split("</tr>")[0]
    assert a.invite_code in row and "普通" in row and "正常" in row
    assert '<td class="num">1</td>\n      <td class="num">1</td>' in row and "¥123.45" in row


@pytest.mark.parametrize("query, expected", [
    ("", {"阿强", "小美", "老王"}),
    ("阿强", {"阿强"}),
    ("1390000", {"小美"}),
    ("CODE", set()),
])
def test_list_search_by_phone_nickname_or_invite_code(client, staff, make_distributor, query, expected):
    make_distributor(nickname="阿强", phone="13800000001")
    make_distributor(nickname="小美", phone="13900000002")
    make_distributor(nickname="老王", phone="13700000003")
    html = client.get(f"/admin/distribution/distributors?q={query}").get_data(as_text=True)
    assert {name for name in ("阿强", "小美", "老王") if name in html} == expected


def test_list_search_by_invite_code_in_any_case(client, staff, make_distributor):
    wanted = make_distributor(nickname="阿强")
    make_distributor(nickname="小美")
    html = client.get(f"/admin/distribution/distributors?q={wanted.invite_code.lower()}").get_data(as_text=True)
    assert "阿强" in html and "小美" not in html


def test_list_pages_and_filters_by_status(client, db, staff, make_distributor):
    for i in range(22):
        make_distributor(nickname=f"推广员{i:02d}")
    services.set_active(db.session.scalar(select(Distributor).limit(1)).user_id, False)
    db.session.commit()
    assert "1 / 2" in client.get("/admin/distribution/distributors").get_data(as_text=True)
    html = client.get("/admin/distribution/distributors?status=disabled").get_data(as_text=True)
    assert html.count("已停用</span>") == 1


def test_list_runs_the_same_number_of_queries_for_3_or_30_distributors(client, db, staff, make_distributor):
    rules.save_grade(name="普通", rank=1)
    db.session.commit()

    def queries():
        with count_statements() as statements:
            assert client.get("/admin/distribution/distributors").status_code == 200
        return len(statements)

    top = make_distributor()
    for _ in range(2):
        make_distributor(referrer=top)
    few = queries()
    for _ in range(27):
        make_distributor(referrer=top)
    assert queries() == few


def test_applications_list_runs_the_same_number_of_queries_for_more(client, staff, make_application):
    def queries():
        with count_statements() as statements:
            assert client.get("/admin/distribution/applications").status_code == 200
        return len(statements)

    for _ in range(3):
        make_application()
    few = queries()
    for _ in range(15):
        make_application()
    assert queries() == few


# ---- 停用 / 启用 -------------------------------------------------------------------------------------------

def test_disable_and_enable_a_distributor(client, db, staff, make_distributor):
    d = make_distributor(nickname="阿强")
    resp = client.post(f"/admin/distribution/distributors/{d.user_id}/active",
                       data={"active": "0", "next": "/admin/distribution/distributors?q=%E9%98%BF"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/distribution/distributors?q=%E9%98%BF"
    db.session.expire_all()
    assert db.session.get(Distributor, d.user_id).status == "disabled"
    assert binding.find_active_distributor(d.invite_code) is None  # the invite link stops binding

    client.post(f"/admin/distribution/distributors/{d.user_id}/active", data={"active": "1"})
    db.session.expire_all()
    d = db.session.get(Distributor, d.user_id)
    assert d.is_active and d.disabled_at is None


# ---- 分销商 page -----------------------------------------------------------------------------------------

def test_detail_shows_binding_figures_team_and_history(client, db, staff, make_distributor, make_user):
    rules.save_grade(name="普通", rank=1)
    rules.save_grade(name="银牌", rank=2, min_direct=2)
    db.session.commit()
    boss = make_distributor(nickname="大团长")
    d = make_distributor(nickname="阿强", referrer=boss)
    make_distributor(nickname="一号下级", referrer=d)
    make_distributor(nickname="二号下级", referrer=d)  # second invitee: 阿强 becomes 银牌

    html = client.get(f"/admin/distribution/distributors/{d.user_id}").get_data(as_text=True)

    assert "阿强" in html and d.invite_code in html and "银牌" in html
    assert "大团长" in html and "推广链接" in html and boss.invite_code in html
    assert "一号下级" in html and "二号下级" in html and "共 2 人" in html
    assert "普通 → 银牌" in html and "direct invitees" in html
    assert "调整上级" in html


def test_detail_pages_the_level_1_members(client, staff, make_distributor):
    d = make_distributor(nickname="阿强")
    for i in range(22):
        make_distributor(nickname=f"成员{i:02d}", referrer=d)
    first = client.get(f"/admin/distribution/distributors/{d.user_id}").get_data(as_text=True)
    second = client.get(f"/admin/distribution/distributors/{d.user_id}?page=2").get_data(as_text=True)
    assert "共 22 人" in first and "1 / 2" in first and "成员21" in first and "成员00" not in first
    assert "成员00" in second and "成员21" not in second


def test_unknown_distributors_are_404(client, staff, make_user):
    member = make_user()  # a member, but not a distributor
    for user_id in (999, member.id):
        assert client.get(f"/admin/distribution/distributors/{user_id}").status_code == 404
        assert client.post(f"/admin/distribution/distributors/{user_id}/active",
                           data={"active": "0"}).status_code == 404
        assert client.post(f"/admin/distribution/distributors/{user_id}/move",
                           data={"referrer_phone": "", "reason": "x"}).status_code == 404


# ---- 调整上级 --------------------------------------------------------------------------------------------

@pytest.fixture
def team(make_distributor):
    """a <- b <- c <- d, and x on its own."""
    a = make_distributor(nickname="甲", phone="13800000010")
    b = make_distributor(nickname="乙", referrer=a, phone="13800000011")
    c = make_distributor(nickname="丙", referrer=b, phone="13800000012")
    d = make_distributor(nickname="丁", referrer=c, phone="13800000013")
    x = make_distributor(nickname="戊", phone="13800000014")
    return a, b, c, d, x


def move(client, who, phone, reason="客户申诉，核实后调整"):
    return client.post(f"/admin/distribution/distributors/{who.user_id}/move",
                       data={"referrer_phone": phone, "reason": reason})


def test_a_valid_move_changes_the_referrer_and_the_counts(client, db, staff, team):
    a, b, c, d, x = team
    assert counts(db, a) == (1, 1, 1) and counts(db, x) == (0, 0, 0)

    resp = move(client, c, "138 0000 0014")

    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/distributors/{c.user_id}")
    assert node(db, c.user_id).referrer_id == x.user_id
    assert tree.ancestors(d.user_id) == [(c.user_id, 1), (x.user_id, 2)]
    assert counts(db, a) == (1, 0, 0) and counts(db, b) == (0, 0, 0) and counts(db, x) == (1, 1, 0)
    log = db.session.scalar(select(BindingLog).where(BindingLog.user_id == c.user_id).order_by(BindingLog.id.desc()))
    assert (log.old_referrer_id, log.new_referrer_id, log.source, log.reason, log.actor_id) == (
        b.user_id, x.user_id, "admin", "客户申诉，核实后调整", staff.id)
    html = client.get(f"/admin/distribution/distributors/{c.user_id}").get_data(as_text=True)
    assert "戊" in html and "后台调整" in html and "客户申诉，核实后调整" in html and "店长" in html


def test_an_empty_phone_makes_the_member_top_level(client, db, staff, team):
    a, b, c, d, x = team
    assert move(client, b, "").status_code == 302
    assert node(db, b.user_id).referrer_id is None
    assert counts(db, a) == (0, 0, 0) and tree.ancestors(d.user_id) == [(c.user_id, 1), (b.user_id, 2)]


@pytest.mark.parametrize("who, phone, reason, message", [
    ("b", "13800000013", "试试循环", "循环"),        # b under its own level-2 member d
    ("a", "13800000012", "试试循环", "循环"),        # a under c, deeper still
    ("b", "13800000011", "绑定自己", "不能绑定到自己"),
    ("c", "13800000014", "", "请填写调整原因"),
    ("c", "13800000014", "   ", "请填写调整原因"),
    ("c", "13899999999", "没有这个人", "没有手机号为 13899999999 的会员"),
    ("c", "12345", "手机号不对", "请输入正确的11位手机号"),
    ("c", "13800000014", "长" * 201, "原因最多200字"),
])
def test_bad_moves_are_refused_and_change_nothing(client, db, staff, team, who, phone, reason, message):
    members = dict(zip("abcdx", team))
    before = {k: (node(db, m.user_id).referrer_id, counts(db, m)) for k, m in members.items()}
    logs = len(db.session.scalars(select(BindingLog)).all())

    resp = move(client, members[who], phone, reason)

    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert message in html and "调整上级" in html  # the distributor's page again, with the message
    assert {k: (node(db, m.user_id).referrer_id, counts(db, m)) for k, m in members.items()} == before
    assert len(db.session.scalars(select(BindingLog)).all()) == logs
