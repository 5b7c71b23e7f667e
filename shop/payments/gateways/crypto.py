"""The signatures and encryption of WeChat Pay API v3, on `cryptography`; no Flask, no network.

Requests to WeChat are signed with the merchant key over "METHOD\\nPATH\\ntimestamp\\nnonce\\nbody\\n";
responses and notifications are signed with a platform key over "timestamp\\nnonce\\nbody\\n" and
verified with the key named by the Wechatpay-Serial header; notification resources are sealed with
AES-256-GCM under the APIv3 key. The sandbox and the test doubles use the same functions to sign
what WeChat would sign, so one implementation is exercised from both sides.
"""
import base64
import binascii
import json
import re
import secrets
import time
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

from ...clock import CHINA
from .base import NotificationRejected

SCHEMA = "WECHATPAY2-SHA256-RSA2048"
AEAD = "AEAD_AES_256_GCM"
#: WeChat rejects, and so do we, a signed message whose timestamp is further than this from now.
MAX_SKEW_SECONDS = 300

SIGNATURE, TIMESTAMP, NONCE, SERIAL, SIGNATURE_TYPE = (
    "Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial",
    "Wechatpay-Signature-Type")


# --- keys and certificates ------------------------------------------------------------------

def generate_private_key():
    """A fresh RSA-2048 key, the size WeChat Pay uses."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def public_key_pem(key):
    """PEM of the public half; accepts a private key, a public key or a certificate."""
    key = public_key_of(key)
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_private_key(pem):
    return serialization.load_pem_private_key(_bytes(pem), password=None)


def load_public_key(pem):
    """An RSA public key from a PEM public key or a PEM certificate."""
    pem = _bytes(pem)
    if b"CERTIFICATE" in pem:
        return x509.load_pem_x509_certificate(pem).public_key()
    return serialization.load_pem_public_key(pem)


def public_key_of(key):
    if isinstance(key, x509.Certificate):
        return key.public_key()
    if isinstance(key, rsa.RSAPrivateKey):
        return key.public_key()
    return key


def self_signed_certificate(key, common_name, days=365, serial_number=None, not_before=None):
    """A self-signed certificate for `key`, like the platform certificates WeChat hands out."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = not_before or datetime.now(timezone.utc) - timedelta(minutes=5)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(serial_number or x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=days))
            .sign(key, hashes.SHA256()))


def certificate_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def load_certificate(pem):
    return x509.load_pem_x509_certificate(_bytes(pem))


def certificate_serial(cert):
    """The serial number as WeChat writes it in Wechatpay-Serial: upper-case hex."""
    return format(cert.serial_number, "X")


def canonical_serial(serial):
    """One spelling per key: a certificate serial as a number in upper-case hex without leading zeros (WeChat
    may write '0A1B…' for the certificate whose serial is 0xA1B…); a public-key id (PUB_KEY_ID_…) as it is."""
    text = (serial or "").strip()
    try:
        return format(int(text, 16), "X")
    except ValueError:
        return text


def generate_key_and_certificate(common_name):
    """(private key, self-signed certificate) for the sandbox and the tests."""
    key = generate_private_key()
    return key, self_signed_certificate(key, common_name)


# --- signatures -----------------------------------------------------------------------------

def signed_message(*parts):
    """Each part followed by a newline, as bytes: the string every v3 signature covers."""
    return b"".join(_bytes(part) + b"\n" for part in parts)


def sign(private_key, *parts):
    """Base64 RSA-SHA256 (PKCS#1 v1.5) signature over `signed_message(*parts)`."""
    return base64.b64encode(private_key.sign(signed_message(*parts), padding.PKCS1v15(),
                                             hashes.SHA256())).decode()


def verify(public_key, signature, *parts):
    """True when `signature` (base64) is the key's signature over `signed_message(*parts)`."""
    try:
        raw = base64.b64decode(signature, validate=True)
        public_key_of(public_key).verify(raw, signed_message(*parts), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        return False
    return True


def new_nonce():
    return secrets.token_hex(16).upper()


def build_authorization(*, mchid, serial_no, private_key, method, url_path, body=b"", timestamp=None,
                        nonce=None):
    """The Authorization header of a merchant request to WeChat Pay."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or new_nonce()
    signature = sign(private_key, method.upper(), url_path, timestamp, nonce, body)
    return (f'{SCHEMA} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
            f'timestamp="{timestamp}",serial_no="{serial_no}"')


_AUTH_FIELD = re.compile(r'\s*(\w+)="([^"]*)"\s*(?:,|$)')


def parse_authorization(header):
    """{mchid, nonce_str, signature, timestamp, serial_no} from an Authorization header; ValueError if malformed."""
    schema, _, rest = (header or "").partition(" ")
    if schema != SCHEMA:
        raise ValueError(f"authorization schema is not {SCHEMA}")
    fields, pos = {}, 0
    while pos < len(rest):
        match = _AUTH_FIELD.match(rest, pos)
        if not match:
            raise ValueError("malformed authorization parameters")
        fields[match.group(1)] = match.group(2)
        pos = match.end()
    missing = {"mchid", "nonce_str", "signature", "timestamp", "serial_no"} - fields.keys()
    if missing:
        raise ValueError("authorization lacks " + ", ".join(sorted(missing)))
    return fields


def verify_authorization(header, *, method, url_path, body, public_key):
    """The parsed Authorization fields when its signature holds for this request; ValueError otherwise."""
    fields = parse_authorization(header)
    if not verify(public_key, fields["signature"], method.upper(), url_path, fields["timestamp"],
                  fields["nonce_str"], body):
        raise ValueError("authorization signature does not verify")
    return fields


def signature_headers(private_key, serial, body, timestamp=None, nonce=None):
    """The Wechatpay-* headers WeChat puts on a response or a notification it signs."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or new_nonce()
    return {TIMESTAMP: timestamp, NONCE: nonce, SERIAL: serial, SIGNATURE_TYPE: SCHEMA,
            SIGNATURE: sign(private_key, timestamp, nonce, body)}


def verify_signed(headers, body, keys, now=None, max_skew=MAX_SKEW_SECONDS):
    """Check the Wechatpay-* headers of a response or notification; raise NotificationRejected.

    `keys` maps a canonical serial (canonical_serial: a certificate serial in upper hex, or a PUB_KEY_ID_...) to a
    public key.
    Returns the serial that signed.
    """
    found = {name: header(headers, name) for name in (SIGNATURE, TIMESTAMP, NONCE, SERIAL)}
    missing = [name for name, value in found.items() if not value]
    if missing:
        raise NotificationRejected("missing headers: " + ", ".join(missing), status=400)
    signature_type = header(headers, SIGNATURE_TYPE)
    if signature_type and signature_type != SCHEMA:
        raise NotificationRejected(f"unsupported signature type {signature_type!r}", status=400)
    serial = found[SERIAL]
    key = keys.get(canonical_serial(serial))
    if key is None:
        raise NotificationRejected(f"unknown serial {serial!r}")
    try:
        timestamp = int(found[TIMESTAMP])
    except ValueError:
        raise NotificationRejected(f"malformed timestamp {found[TIMESTAMP]!r}", status=400) from None
    if not verify(key, found[SIGNATURE], found[TIMESTAMP], found[NONCE], body):
        raise NotificationRejected(f"bad signature (serial {serial})")
    # Checked after the signature so a forger cannot learn our clock; the window stops replays.
    skew = timestamp - int(time.time() if now is None else now)
    if abs(skew) > max_skew:
        raise NotificationRejected(f"stale timestamp: {skew:+d}s from now (limit {max_skew}s)")
    return serial


def header(headers, name):
    """A header value looked up case-insensitively in any mapping (dict, werkzeug Headers, http.client)."""
    value = headers.get(name)
    if value is None:
        lower = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lower), None)
    return value.strip() if isinstance(value, str) else value


# --- AES-256-GCM resources ------------------------------------------------------------------

def _aes(apiv3_key):
    key = _bytes(apiv3_key)
    if len(key) != 32:
        raise ValueError("the APIv3 key must be 32 bytes")
    return AESGCM(key)


def encrypt_resource(apiv3_key, plaintext, associated_data="", nonce=None, original_type=None):
    """A resource object {algorithm, ciphertext, associated_data, nonce[, original_type]} as WeChat sends it."""
    nonce = nonce or secrets.token_hex(6)  # WeChat uses a 12-character nonce
    sealed = _aes(apiv3_key).encrypt(nonce.encode(), _bytes(plaintext), _bytes(associated_data))
    resource = {"algorithm": AEAD, "ciphertext": base64.b64encode(sealed).decode(),
                "associated_data": associated_data, "nonce": nonce}
    if original_type:
        resource["original_type"] = original_type
    return resource


def decrypt_resource(apiv3_key, resource):
    """The plaintext (str) of an encrypted resource; ValueError when it cannot be opened."""
    if resource.get("algorithm") != AEAD:
        raise ValueError(f"unsupported algorithm {resource.get('algorithm')!r}")
    aes = _aes(apiv3_key)
    try:
        sealed = base64.b64decode(resource["ciphertext"], validate=True)
        plain = aes.decrypt(resource["nonce"].encode(), sealed, _bytes(resource.get("associated_data") or ""))
        return plain.decode()
    except (KeyError, AttributeError, TypeError, ValueError, InvalidTag) as exc:
        raise ValueError(f"cannot decrypt resource ({type(exc).__name__})") from None


# --- RSA-OAEP for sensitive request fields (e.g. the payee's name of a transfer) -----------------

def encrypt_field(public_key, text):
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    return base64.b64encode(public_key_of(public_key).encrypt(_bytes(text), oaep)).decode()


def decrypt_field(private_key, ciphertext):
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    return private_key.decrypt(base64.b64decode(ciphertext), oaep).decode()


# --- notifications --------------------------------------------------------------------------

class VerifiedNotification(NamedTuple):
    """A notification whose signature, timestamp and encryption all checked out."""
    event_type: str
    resource: dict
    envelope: dict


def verify_notification(headers, body, keys, apiv3_key, now=None, max_skew=MAX_SKEW_SECONDS):
    """Verify and decrypt a WeChat Pay notification; raise NotificationRejected with the precise reason."""
    body = _bytes(body)
    verify_signed(headers, body, keys, now=now, max_skew=max_skew)
    try:
        envelope = json.loads(body.decode())  # (a str: json.loads guesses a bytes' encoding first)
        resource = envelope["resource"]
        event_type = envelope["event_type"]
        if not isinstance(resource, dict) or not isinstance(event_type, str):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise NotificationRejected("malformed notification body", status=400) from None
    if envelope.get("resource_type") != "encrypt-resource":
        raise NotificationRejected(f"unexpected resource_type {envelope.get('resource_type')!r}", status=400)
    try:
        data = json.loads(decrypt_resource(apiv3_key, resource))
    except ValueError as exc:
        raise NotificationRejected(f"decryption failed: {exc}", status=400) from None
    if not isinstance(data, dict):
        raise NotificationRejected("decrypted resource is not an object", status=400)
    return VerifiedNotification(event_type, data, envelope)


_SUMMARIES = {"TRANSACTION.SUCCESS": "支付成功", "REFUND.SUCCESS": "退款成功", "REFUND.ABNORMAL": "退款异常",
              "REFUND.CLOSED": "退款关闭"}


def build_notification(*, private_key, serial, apiv3_key, event_type, resource, timestamp=None, nonce=None,
                       notification_id=None, create_time=None):
    """(headers, body bytes) of a notification exactly as WeChat Pay would POST it."""
    original_type = "transaction" if event_type.startswith("TRANSACTION") else "refund"
    envelope = {
        "id": notification_id or secrets.token_hex(18),
        "create_time": create_time or rfc3339(datetime.now(timezone.utc)),
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": _SUMMARIES.get(event_type, event_type),
        "resource": encrypt_resource(apiv3_key, json.dumps(resource, ensure_ascii=False),
                                     associated_data=original_type, original_type=original_type),
    }
    body = json.dumps(envelope, ensure_ascii=False).encode()
    headers = signature_headers(private_key, serial, body, timestamp=timestamp, nonce=nonce)
    headers["Content-Type"] = "application/json"
    return headers, body


def jsapi_params(*, appid, prepay_id, private_key, timestamp=None, nonce=None):
    """The parameters of WeixinJSBridge getBrandWCPayRequest, signed with the merchant key."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or new_nonce()
    package = f"prepay_id={prepay_id}"
    return {"appId": appid, "timeStamp": timestamp, "nonceStr": nonce, "package": package, "signType": "RSA",
            "paySign": sign(private_key, appid, timestamp, nonce, package)}


# --- small conversions ----------------------------------------------------------------------

def rfc3339(moment):
    """'2024-05-01T10:00:00+08:00', the way WeChat writes times (China time)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(CHINA).replace(microsecond=0).isoformat()


def parse_rfc3339(text):
    """Naive UTC datetime (how our columns store time) from an RFC 3339 string; None for empty."""
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA)
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _bytes(value):
    return value.encode() if isinstance(value, str) else bytes(value)
