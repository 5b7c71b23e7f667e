"""员工 in the admin (owner only): create staff, change a role, reset a password, disable and enable; an owner
never disables themself, and the last owner stays. `flask shop create-admin` makes an owner."""
from sqlalchemy import select

from shop.staff.models import Staff
from tests.conftest import login_staff


def by_login(db, login):
    db.session.expire_all()
    return db.session.scalar(select(Staff).where(Staff.login == login))


def test_the_owner_creates_a_staff_member_who_can_log_in(app, client, db, staff):
    resp = client.post("/admin/staff/new", data={"login": "zhang", "display_name": "运营小张", "role": "operator",
                                                 "password": "zhang-pass-1"})
    assert resp.status_code == 302
    html = client.get("/admin/staff").get_data(as_text=True)
    assert "运营小张" in html and "运营" in html and "zhang" in html
    other = app.test_client()
    login_staff(other, by_login(db, "zhang"), "zhang-pass-1")
    assert other.get("/admin/products").status_code == 200 and other.get("/admin/staff").status_code == 403


def test_new_staff_are_checked(client, db, staff):
    for data, message in (({"login": staff.login, "role": "viewer", "password": "long-enough"}, "登录名已被使用"),
                          ({"login": "ok", "role": "viewer", "password": "short"}, "密码至少 8 位"),
                          ({"login": "a b", "role": "viewer", "password": "long-enough"}, "登录名只能用"),
                          ({"login": "ok", "role": "boss", "password": "long-enough"}, "请选择角色")):
        resp = client.post("/admin/staff/new", data=data)
        assert resp.status_code == 400 and message in resp.get_data(as_text=True), message
    assert by_login(db, "ok") is None


def test_the_owner_changes_a_role(client, db, staff, make_staff):
    clerk = make_staff(role="viewer")
    assert client.post(f"/admin/staff/{clerk.id}/edit", data={"display_name": "财务小李", "role": "finance"}
                       ).status_code == 302
    assert (by_login(db, clerk.login).role, by_login(db, clerk.login).display_name) == ("finance", "财务小李")


def test_an_owner_cannot_disable_themself_or_remove_the_last_owner(client, db, staff, make_staff):
    resp = client.post(f"/admin/staff/{staff.id}/disabled", data={"disabled": "1"}, follow_redirects=True)
    assert "不能停用自己的账号" in resp.get_data(as_text=True) and not by_login(db, staff.login).disabled
    resp = client.post(f"/admin/staff/{staff.id}/edit", data={"display_name": "店长", "role": "viewer"})
    assert resp.status_code == 400 and "至少要保留一位可用的店主" in resp.get_data(as_text=True)
    second = make_staff(role="owner")
    resp = client.post(f"/admin/staff/{staff.id}/edit", data={"display_name": "店长", "role": "viewer"})
    assert resp.status_code == 400 and "不能取消自己的店主身份" in resp.get_data(as_text=True)
    assert client.post(f"/admin/staff/{second.id}/disabled", data={"disabled": "1"}).status_code == 302
    assert by_login(db, second.login).disabled
    assert client.post(f"/admin/staff/{second.id}/disabled", data={"disabled": "0"}).status_code == 302
    assert not by_login(db, second.login).disabled


def test_unknown_staff_are_404(client, staff):
    for method, path in (("GET", "/admin/staff/999/edit"), ("POST", "/admin/staff/999/password"),
                         ("POST", "/admin/staff/999/disabled")):
        assert client.open(path, method=method, data={"password": "long-enough"}).status_code == 404


def test_create_admin_command_makes_an_owner(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["shop", "create-admin", "--login", "boss", "--name", "老板",
                                 "--password", "boss-pass-1"])
    assert result.exit_code == 0, result.output
    boss = by_login(db, "boss")
    assert boss.role == "owner" and boss.display_name == "老板" and boss.check_password("boss-pass-1")
    again = runner.invoke(args=["shop", "create-admin", "--login", "boss", "--password", "boss-pass-1"])
    assert again.exit_code != 0 and "登录名已被使用" in again.output


def test_the_commonest_passwords_are_refused_for_staff(client, db, staff):
    resp = client.post("/admin/staff/new", data={"login": "li", "role": "viewer", "password": "password1"})
    assert resp.status_code == 400 and "这个密码太常见" in resp.get_data(as_text=True)
    assert by_login(db, "li") is None


def test_a_wrong_password_takes_as_long_for_an_unknown_login(app, db):
    import statistics
    import time

    from shop.staff.services import create_staff
    create_staff("wang", "王", "wang-real-pass-9", "viewer")  # a real hash, like the dummy one

    def median_ms(login, tries=5):
        browser, times = app.test_client(), []
        for _ in range(tries):
            start = time.perf_counter()
            assert browser.post("/admin/login", data={"login": login, "password": "wrong-guess"}).status_code == 400
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    median_ms("nobody", 1)  # the dummy hash is made once per process
    known, unknown = median_ms("wang"), median_ms("nobody")
    print(f"\nstaff wrong password, median of 5: known login {known:.1f} ms, unknown login {unknown:.1f} ms")
    assert unknown >= 0.5 * known and known >= 0.5 * unknown
