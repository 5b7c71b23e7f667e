"""/center as far as the distribution core needs it: invite code, applying, threshold progress."""
from shop.distribution.models import Application, Distributor


def test_everyone_mode_center_shows_the_invite_link(client, db, make_user, login):
    user = make_user()
    login(user)
    html = client.get("/center").get_data(as_text=True)
    d = db.session.get(Distributor, user.id)
    assert d.invite_code in html and f"/i/{d.invite_code}" in html and "完全免费" in html


def test_apply_mode_form_status_and_rejection_reason(client, db, make_user, login, settings, make_staff):
    from shop.distribution import services
    settings(distribution_mode="apply")
    admin, user = make_staff(), make_user()
    login(user)
    assert "申请成为分销商" in client.get("/center").get_data(as_text=True)
    bad = client.post("/center", data={"real_name": "", "phone": "12"})
    assert "请填写真实姓名" in bad.get_data(as_text=True) and db.session.query(Application).count() == 0
    client.post("/center", data={"real_name": "王小明", "phone": "13911112222"})
    assert "申请审核中" in client.get("/center").get_data(as_text=True)
    services.reject(db.session.query(Application).one().id, admin, "资料不全")
    db.session.commit()
    assert "资料不全" in client.get("/center").get_data(as_text=True)
    assert db.session.get(Distributor, user.id) is None


def test_threshold_mode_shows_what_is_still_needed(client, db, make_user, login, settings):
    from shop.distribution import binding
    settings(distribution_mode="threshold", distribution_threshold_fen=10000)
    user = make_user()
    binding.record_paid_order(user.id, 2500)
    db.session.commit()
    login(user)
    assert "还差 ¥75.00" in client.get("/center").get_data(as_text=True)


def test_center_needs_login(client):
    assert client.get("/center").status_code == 302
