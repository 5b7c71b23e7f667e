"""Appointments: one active agent per region and level; bad input refused with a message, nothing changed."""
import pytest
from sqlalchemy import func, select

from shop.agents import services
from shop.agents.models import Agent
from shop.errors import ServiceError


def test_a_province_and_a_city_agent_inside_it_coexist(db, appoint):
    appoint("province", "浙江省", rate_bp=200)
    appoint("city", "浙江省", "杭州市", rate_bp=100)
    assert db.session.scalar(select(func.count()).select_from(Agent)) == 2


def test_a_second_agent_for_one_region_and_level_is_refused_until_the_first_ends(db, appoint, make_user):
    first = appoint("city", "上海市", "上海市", rate_bp=100)
    other = make_user(phone="13500000001")
    with pytest.raises(ServiceError, match="已有在任"):
        services.appoint(other.phone, "city", "上海市", "上海市", "", 200)
    services.end_appointment(first.id, "换人")
    assert services.appoint(other.phone, "city", "上海市", "上海市", "", 200).user_id == other.id


@pytest.mark.parametrize("args, message", [
    (("13500000009", "city", "浙江省", "杭州市", "", 100), "没有手机号"),
    (("{phone}", "town", "浙江省", "杭州市", "", 100), "代理级别"),
    (("{phone}", "city", "浙江省", "", "", 100), "名称"),
    (("{phone}", "district", "浙江省", "杭州市", " ", 100), "名称"),
    (("{phone}", "city", "浙江省", "杭州市", "", 0), "分红比例"),
    (("{phone}", "city", "浙江省", "杭州市", "", 10001), "分红比例"),
])
def test_bad_appointments_are_refused(db, make_user, args, message):
    user = make_user(phone="13500000002")
    with pytest.raises(ServiceError, match=message):
        services.appoint(args[0].format(phone=user.phone), *args[1:])
    assert db.session.scalar(select(func.count()).select_from(Agent)) == 0


def test_parts_below_the_level_are_not_stored(db, appoint):
    agent = appoint("province", "浙江省", "杭州市", "西湖区")
    assert (agent.province, agent.city, agent.district) == ("浙江省", "", "")


def test_ending_needs_a_reason_and_an_active_appointment(db, appoint):
    agent = appoint("city", "浙江省", "杭州市")
    with pytest.raises(ServiceError, match="原因"):
        services.end_appointment(agent.id, " ")
    services.end_appointment(agent.id, "到期")
    with pytest.raises(ServiceError, match="已卸任"):
        services.end_appointment(agent.id, "再次")
    with pytest.raises(ServiceError, match="已卸任"):
        services.change_rate(agent.id, 300)


def test_an_appointed_member_becomes_a_distributor_to_withdraw_the_dividends(db, appoint, make_user):
    from shop.distribution.models import Distributor
    member = make_user(phone="13500000009")
    assert db.session.get(Distributor, member.id) is None
    appoint("city", "上海市", "上海市", user=member)
    assert db.session.get(Distributor, member.id).source == "admin"
