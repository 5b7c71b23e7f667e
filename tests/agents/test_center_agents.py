"""区域代理 in the distributor center: the entry only for agents, the page with figures and dividends, strangers
404."""


def test_the_city_agent_sees_the_entry_and_the_dividend(client, db, shop, paid_order, appoint, login, make_user):
    agent_user = make_user(phone="13600009999")
    appoint("city", "浙江省", "杭州市", rate_bp=100, user=agent_user)
    order = paid_order(quantity=2)
    login(agent_user)
    center = client.get("/center").get_data(as_text=True)
    assert 'id="agent-entry"' in center and "浙江省杭州市" in center
    page = client.get("/center/agent")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert order.order_no in html and "+¥2.00" in html and "¥200.00" in html


def test_a_distributor_who_is_not_an_agent_sees_no_entry_and_gets_404(client, db, shop, login):
    login(shop.a)
    assert 'id="agent-entry"' not in client.get("/center").get_data(as_text=True)
    assert client.get("/center/agent").status_code == 404


def test_an_ended_agent_gets_404(client, db, shop, appoint, login, make_user):
    from shop.agents.services import end_appointment
    user = make_user(phone="13600009998")
    agent = appoint("district", "浙江省", "杭州市", "西湖区", user=user)
    end_appointment(agent.id, "到期")
    login(user)
    assert client.get("/center/agent").status_code == 404


def test_visitors_are_sent_to_log_in(client, db):
    assert client.get("/center/agent").status_code in (302, 401)


def test_the_region_orders_tab_lists_orders_paid_into_the_region_since_the_appointment(
        client, db, shop, paid_order, place, appoint, login, make_user):
    before = paid_order()  # paid before the appointment: not the agent's
    user = make_user(phone="13600009997")
    appoint("city", "浙江省", "杭州市", rate_bp=100, user=user)
    unpaid = place()
    paid = paid_order()
    login(user)
    html = client.get("/center/agent?tab=orders").get_data(as_text=True)
    assert paid.order_no in html and before.order_no not in html and unpaid.order_no not in html
    assert "买家C" not in html
