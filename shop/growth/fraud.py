"""Fraud signals (刷单 / 自刷佣金): an invitee who looks like their own referrer. A binding or an order is flagged
when the invitee shares a device cookie, an IP within the same hour, a phone or a shipping address with the
referrer (for an order: with each beneficiary of its commissions), or registered in a burst from one IP. A flagged
commission is held: settlement skips it until staff clear or void it (growth/review.py).

Every function here joins the caller's transaction: sightings are recorded in the sign-in's and the order
placement's (orders/services.py place_order), binding flags in the binding's, commission flags in the payment's."""
import re
from collections import namedtuple
from datetime import timedelta

from sqlalchemy import bindparam, exists, func, select

from ..accounts.models import Address, User, full_address
from ..clock import utcnow
from ..extensions import db
from ..statements import run
from .models import HELD, VOIDED, FraudFlag, Sighting

#: "An IP within the same hour".
IP_WINDOW = timedelta(hours=1)
#: A burst: this many registrations from one IP within BURST_WINDOW (the new one included).
BURST_REGISTRATIONS = 5
BURST_WINDOW = timedelta(hours=1)
#: Sightings compared per member (the newest): enough for months of normal use, bounded for the busy.
SIGHTINGS_COMPARED = 200
_BLANKS = re.compile(r"[\s,，·\-]+")


def record_sighting(user_id, kind, seen, now=None):
    """Remember that the member was seen (kind: register, login, order) with this (device id, IP)."""
    device, ip = seen or (None, None)
    if device or ip:
        db.session.add(Sighting(user_id=user_id, kind=kind, device_id=device, ip=ip, created_at=now or utcnow()))
        db.session.flush()


def is_held(commission_id):
    """SQL: the commission (an id or a column) has a held fraud flag."""
    return exists().where(FraudFlag.commission_id == commission_id, FraudFlag.status == HELD)


def fraud_review(commission_id):
    """"held" or "voided" when a fraud flag holds or voided the commission, else None. Reads only."""
    return db.session.scalar(select(FraudFlag.status).where(FraudFlag.commission_id == commission_id,
                                                            FraudFlag.status.in_((HELD, VOIDED))))


# The payment's reads, built once (bound parameters only): building a statement costs more than sending it.
_ranked = select(Sighting.user_id, Sighting.device_id, Sighting.ip, Sighting.created_at, func.row_number().over(
    partition_by=Sighting.user_id, order_by=Sighting.id.desc()).label("n")).where(
    Sighting.user_id.in_(bindparam("user_ids", expanding=True))).subquery()
_SIGHTINGS = select(_ranked).where(_ranked.c.n <= SIGHTINGS_COMPARED).order_by(_ranked.c.n)
_PHONES = select(User.id, User.phone).where(User.id.in_(bindparam("user_ids", expanding=True)))
_ADDRESSES = select(Address.user_id, Address.phone, Address.province, Address.city, Address.district,
                    Address.detail).where(Address.user_id.in_(bindparam("user_ids", expanding=True)))

_BINDING_FLAGS = select(FraudFlag.referrer_id, FraudFlag.reasons).where(
    FraudFlag.kind == "binding", FraudFlag.status == HELD, FraudFlag.user_id == bindparam("buyer_id"),
    FraudFlag.referrer_id.in_(bindparam("referrer_ids", expanding=True)))


#: A sighting as the comparisons read it.
Seen = namedtuple("Seen", "user_id device_id ip created_at")


def _sightings(user_ids):
    """{user_id: [(device_id, ip, created_at)]}, each member's newest SIGHTINGS_COMPARED, in one query."""
    found = {user_id: [] for user_id in user_ids}
    for row in run(_SIGHTINGS, {"user_ids": user_ids}):
        found[row[0]].append(Seen._make(row[:4]))
    return found


def _normal_address(text):
    return _BLANKS.sub("", text or "").lower()


def _contacts(user_ids, order=None):
    """{user_id: ({phones}, {normalized addresses})}: their own phone, their address book, and for the order's
    buyer the order's; two queries whatever the number of members."""
    found = {user_id: (set(), set()) for user_id in user_ids}
    for user_id, phone in run(_PHONES, {"user_ids": user_ids}):
        found[user_id][0].add(phone)
    for user_id, phone, *place in run(_ADDRESSES, {"user_ids": user_ids}):
        found[user_id][0].add(phone)
        found[user_id][1].add(_normal_address(full_address(*place)))
    if order is not None and order.user_id in found:
        found[order.user_id][0].add(order.recipient_phone)
        found[order.user_id][1].add(_normal_address(order.address_text))
    for phones, places in found.values():
        phones.discard(None)
        places.discard("")
    return found


def member_sides(user_ids, order=None):
    """{user_id: (sightings, phones, normalized addresses)}: what members are compared on (with the order's own
    phone and address for its buyer), in three queries. Reads only."""
    ids = sorted(set(user_ids))
    sightings, contacts = _sightings(ids), _contacts(ids, order)
    return {user_id: (sightings[user_id], *contacts[user_id]) for user_id in ids}


def member_side(user_id, order=None):
    """What a member is compared on: (sightings, phones, normalized addresses). Reads only."""
    return member_sides([user_id], order)[user_id]


def shared_signals(invitee_id, referrer_id, order=None, invitee_side=None, referrer_side=None):
    """{reason: what matched} for each way the invitee looks like the referrer (empty when clean); the sides
    (member_side) save reading the members again. Reads only."""
    found = {}
    mine, my_phones, my_places = invitee_side or member_side(invitee_id, order)
    theirs, their_phones, their_places = referrer_side or member_side(referrer_id)
    devices = {s.device_id for s in theirs if s.device_id}
    device = next((s.device_id for s in mine if s.device_id in devices), None)
    if device:
        found["device"] = device[:8]
    ip = next((a.ip for a in mine for b in theirs
               if a.ip and a.ip == b.ip and abs(a.created_at - b.created_at) <= IP_WINDOW), None)
    if ip:
        found["ip"] = ip
    if my_phones & their_phones:
        found["phone"] = sorted(my_phones & their_phones)[0]
    if my_places & their_places:
        found["address"] = sorted(my_places & their_places)[0][:60]
    return found


def registration_burst(user_id, now=None):
    """{"burst": "<ip> ×n"} when the member registered from an IP that BURST_REGISTRATIONS or more members
    registered from within BURST_WINDOW; else {}. Reads only."""
    ip = db.session.scalar(select(Sighting.ip).where(Sighting.user_id == user_id, Sighting.kind == "register")
                           .order_by(Sighting.id).limit(1))
    if not ip:
        return {}
    now = now or utcnow()
    count = db.session.scalar(select(func.count(func.distinct(Sighting.user_id))).where(
        Sighting.ip == ip, Sighting.kind == "register", Sighting.created_at >= now - BURST_WINDOW))
    return {"burst": f"{ip} ×{count}"} if count >= BURST_REGISTRATIONS else {}


def _describe(found):
    return "; ".join(f"{reason}: {what}" for reason, what in found.items())[:300]


def check_binding(user_id, referrer_id, now=None):
    """Flag a new binding whose invitee looks like the referrer, or came in a registration burst; returns the
    flag or None (a clean binding leaves no trace)."""
    if referrer_id is None or referrer_id == user_id:
        return None
    found = {**shared_signals(user_id, referrer_id), **registration_burst(user_id, now)}
    if not found:
        return None
    flag = FraudFlag(kind="binding", user_id=user_id, referrer_id=referrer_id, reasons=",".join(found),
                     detail=_describe(found), created_at=now or utcnow())
    db.session.add(flag)
    db.session.flush()
    return flag


def _binding_reasons(buyer_id, beneficiary_ids):
    """{beneficiary_id: {reason: "binding"}} of the held binding flags between the buyer and these beneficiaries."""
    found = {beneficiary_id: {} for beneficiary_id in beneficiary_ids}
    for referrer_id, reasons in run(_BINDING_FLAGS, {"buyer_id": buyer_id, "referrer_ids": beneficiary_ids}):
        found[referrer_id].update({code: "binding" for code in reasons.split(",") if code})
    return found


def flag_commissions(order, commissions):
    """Hold each of the order's new commissions whose beneficiary the buyer looks like (self-purchase
    commissions excepted: the rules allow them). Returns the flags; none for a clean order. Reads the buyer and
    every beneficiary in a fixed number of queries."""
    beneficiaries = sorted({c.beneficiary_id for c in commissions} - {order.user_id})
    if not beneficiaries:
        return []
    sides, bindings = member_sides([order.user_id, *beneficiaries], order), _binding_reasons(order.user_id,
                                                                                            beneficiaries)
    checked = {b: {**bindings[b], **shared_signals(order.user_id, b, order, sides[order.user_id], sides[b])}
               for b in beneficiaries}
    flags = [FraudFlag(kind="commission", user_id=order.user_id, referrer_id=c.beneficiary_id, commission_id=c.id,
                       order_id=order.id, reasons=",".join(checked[c.beneficiary_id]),
                       detail=_describe(checked[c.beneficiary_id]), created_at=c.created_at)
             for c in commissions if checked.get(c.beneficiary_id)]
    if flags:
        db.session.add_all(flags)
        db.session.flush()
    return flags
