"""Signing in: the use cases that end with a member logged in (password, SMS code, registration).

Each owns its transaction. The view calls flask_login.login_user only once it has committed, so a
refused or failed sign-in never leaves a logged-in session behind. These use cases tie accounts,
cart and distribution together, which is why they are not in services.py (distribution imports it).
"""
from ..cart.services import merge_guest_cart
from ..database import transaction
from ..distribution import binding
from ..distribution.services import on_sign_in
from ..growth.fraud import record_sighting
from . import lockout
from .events import signed_in
from .services import authenticate, check_login_code, record_login, register, use_login_code


def start_session(user, referral=None, invite_code=None, is_new_member=False, seen=None):
    """Record the login (and where it came from: `seen` = (device id, IP), for the fraud signals), fold the guest
    cart into the member's, make them a distributor in "everyone" mode and bind their referrer: a typed
    invite_code wins over the `referral` ({"code", "source"}) remembered from a link. Owns its transaction."""
    with transaction():
        record_login(user)
        record_sighting(user.id, "register" if is_new_member else "login", seen)
        merge_guest_cart(user)
        on_sign_in(user.id, is_new_member)
        if invite_code:
            binding.bind_from_code(user, invite_code, "code", is_new_member)
        else:
            binding.bind_referral(user, referral, is_new_member)
        signed_in.send(user, user=user, is_new_member=is_new_member, referral=referral, seen=seen)
    return user


def log_in(phone, password, referral=None, seen=None):
    """Log in with phone and password; returns the member. Refused while the phone is locked after too many wrong
    passwords (accounts/lockout.py). Owns its transaction."""
    with lockout.guard(phone):
        user = authenticate(phone, password)
    with transaction():
        return start_session(user, referral, seen=seen)


def log_in_with_code(phone, code, referral=None, seen=None):
    """Log in with an SMS code; a member is created on first login. Returns the member.

    Owns two transactions: the attempt is counted and committed first (it counts even though the
    login fails), then the code is used and the session started together. Never refused by the password
    lock-out, which it lifts.
    """
    sms_id = check_login_code(phone, code)
    with transaction():
        user, created = use_login_code(sms_id)
        start_session(user, referral, is_new_member=created, seen=seen)
    lockout.lift(phone)  # the phone is proven: wrong passwords tried against it no longer lock it
    return user


def sign_up(phone, password, nickname="", invite_code=None, referral=None, seen=None):
    """Register a member and start their session; returns the member. Owns its transaction."""
    with transaction():
        user = register(phone, password, nickname)
        return start_session(user, referral, invite_code, is_new_member=True, seen=seen)
