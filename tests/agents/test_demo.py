"""The demo's city agent of 上海市: seeded once, sees /center/agent, earns on an order delivered into 上海市."""
from shop.agents import demo
from shop.agents.models import Agent


def test_seed_twice_duplicates_nothing_and_the_agent_reaches_the_page(db, client, login):
    lines = []
    demo.seed_demo(lines.append)
    demo.seed_demo(lines.append)
    agent = db.session.query(Agent).one()
    assert (agent.level, agent.province, agent.city, agent.rate_bp) == ("city", "上海市", "上海市", 100)
    assert any("13900000010 / demo123" in line for line in lines)
    login(agent.user, demo.AGENT[1])
    assert "上海市" in client.get("/center/agent").get_data(as_text=True)
