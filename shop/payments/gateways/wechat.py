"""WeChat Pay API v3 (直连商户): JSAPI, H5 and Native payments, refunds, 商家转账, and their notifications.

Written on the standard library's HTTP client and our own `crypto` helpers rather than the `wechatpayv3` SDK:
its Core hard-codes the production host and downloads platform certificates from it inside __init__, does not
check timestamps, only verifies 2xx responses and reports failures as bare Exceptions or None. Here every
response is verified (signature, serial and timestamp), the host is configurable, certificates load lazily,
and every failure is a GatewayError that says whether a retry can help.
"""
import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from urllib.parse import quote, urlencode, urlsplit

from . import crypto
from .base import (
    H5,
    JSAPI,
    NATIVE,
    Gateway,
    GatewayError,
    NotificationRejected,
    PaymentStart,
)
from .resources import fen, notice_from_notification, payment_notice, refund_notice, transfer_notice

DEFAULT_BASE_URL = "https://api.mch.weixin.qq.com"
#: 商家转账 scene 1005 = 佣金报酬 (commission payout); its report must name the job and the pay.
DEFAULT_TRANSFER_SCENE = "1005"
TRANSFER_BILLS = "/v3/fund-app/mch-transfer/transfer-bills"
#: Error codes after which the same request may succeed later.
RETRYABLE_CODES = {"SYSTEM_ERROR", "SYSTEMERROR", "FREQUENCY_LIMITED", "FREQUENCY_LIMIT_EXCEED", "BANK_ERROR",
                   "NOT_ENOUGH", "NOTENOUGH"}
#: Re-download platform certificates for an unknown serial at most this often (a forged serial is free).
CERTIFICATE_REFRESH_SECONDS = 60


class WechatPayError(GatewayError):
    """An error answer from WeChat Pay: `code` (e.g. ORDER_NOT_EXIST) and the HTTP status."""

    def __init__(self, message, retryable=True, code=None, http_status=None):
        super().__init__(message, retryable)
        self.code = code
        self.http_status = http_status


class WechatPayGateway(Gateway):
    """A merchant's WeChat Pay account; one instance per app, shared by threads."""
    name = "wechat"

    def __init__(self, config, clock=time.time):
        missing = [key for key in ("mchid", "appid", "serial_no", "private_key_path", "apiv3_key")
                   if not config.get(key)]
        if missing:
            raise GatewayError("WeChat Pay is not configured: missing " + ", ".join(missing), retryable=False)
        self.mchid, self.appid, self.serial_no = config["mchid"], config["appid"], config["serial_no"]
        self.apiv3_key = config["apiv3_key"]
        if len(self.apiv3_key.encode()) != 32:
            raise GatewayError("WeChat Pay APIv3 key must be 32 characters", retryable=False)
        self.private_key = _load(crypto.load_private_key, config["private_key_path"])
        self.base_url = (config.get("base_url") or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = float(config.get("timeout") or 10)
        self.transfer_scene_id = config.get("transfer_scene_id") or DEFAULT_TRANSFER_SCENE
        self.clock = clock
        #: Public-key mode: WeChat signs with the key named `public_key_id`; no certificate download.
        self.public_key_id = config.get("public_key_id")
        if bool(config.get("public_key_path")) != bool(self.public_key_id):
            raise GatewayError("WeChat Pay public-key mode needs both the public key file and its id",
                               retryable=False)
        self._keys = ({self.public_key_id: _load(crypto.load_public_key, config["public_key_path"])}
                      if self.public_key_id else {})
        self._certificates = {}
        self._lock = threading.Lock()
        self._certificates_loaded_at = None

    @property
    def certificate_mode(self):
        return not self.public_key_id

    # --- the Gateway interface -------------------------------------------------------------

    def create_payment(self, *, order_no, amount_fen, description, notify_url, client_ip=None, openid=None,
                       return_url=None, trade_type=None):
        """JSAPI (the payer's openid) -> signed jsapi_params; NATIVE -> code_url for a QR code; H5 -> redirect_url.
        Without a trade_type: JSAPI when an openid is given, H5 otherwise."""
        payload = {"appid": self.appid, "mchid": self.mchid, "description": description[:127] or order_no,
                   "out_trade_no": order_no, "notify_url": notify_url,
                   "amount": {"total": fen(amount_fen), "currency": "CNY"}}
        trade_type = trade_type or (JSAPI if openid else H5)
        if trade_type == JSAPI:
            return self._jsapi(payload, openid, client_ip)
        if trade_type == NATIVE:
            if client_ip:
                payload["scene_info"] = {"payer_client_ip": client_ip}
            return PaymentStart(code_url=self._call("POST", "/v3/pay/transactions/native", payload)["code_url"])
        return self._h5(payload, client_ip, return_url)

    def _jsapi(self, payload, openid, client_ip):
        if not openid:
            raise GatewayError("JSAPI payment needs the payer's openid", retryable=False)
        payload["payer"] = {"openid": openid}
        if client_ip:
            payload["scene_info"] = {"payer_client_ip": client_ip}
        data = self._call("POST", "/v3/pay/transactions/jsapi", payload)
        return PaymentStart(jsapi_params=crypto.jsapi_params(appid=self.appid, prepay_id=data["prepay_id"],
                                                             private_key=self.private_key))

    def _h5(self, payload, client_ip, return_url):
        if not client_ip:
            raise GatewayError("H5 payment needs the shopper's IP address", retryable=False)
        payload["scene_info"] = {"payer_client_ip": client_ip, "h5_info": {"type": "Wap"}}
        url = self._call("POST", "/v3/pay/transactions/h5", payload)["h5_url"]
        if return_url:  # WeChat sends the shopper back here after the payment attempt
            url += ("&" if "?" in url else "?") + urlencode({"redirect_url": return_url})
        return PaymentStart(redirect_url=url)

    def parse_notification(self, headers, body):
        """Verify and decrypt a notification into a PaymentNotice or RefundNotice."""
        try:
            keys = self._keys_for(crypto.header(headers, crypto.SERIAL))
        except GatewayError as exc:  # certificates unavailable: answer 5xx so WeChat tries again later
            raise NotificationRejected(f"platform certificates unavailable: {exc.message}", status=503) from None
        verified = crypto.verify_notification(headers, body, keys, self.apiv3_key, now=self.clock())
        return notice_from_notification(self.name, verified, mchid=self.mchid, appid=self.appid)

    def query_payment(self, order_no):
        data = self._call("GET", f"/v3/pay/transactions/out-trade-no/{quote(order_no, safe='')}"
                                 f"?mchid={quote(self.mchid, safe='')}", not_found={"ORDER_NOT_EXIST"})
        return None if data is None else _mapped(payment_notice, self.name, data)

    def refund(self, *, order_no, refund_no, amount_fen, total_fen, reason, notify_url):
        payload = {"out_trade_no": order_no, "out_refund_no": refund_no, "reason": (reason or "")[:80],
                   "notify_url": notify_url,
                   "amount": {"refund": fen(amount_fen), "total": fen(total_fen), "currency": "CNY"}}
        if not notify_url:
            del payload["notify_url"]
        return _mapped(refund_notice, self.name, self._call("POST", "/v3/refund/domestic/refunds", payload))

    def query_refund(self, refund_no):
        data = self._call("GET", f"/v3/refund/domestic/refunds/{quote(refund_no, safe='')}",
                          not_found={"RESOURCE_NOT_EXISTS", "ORDER_NOT_EXIST"})
        return None if data is None else _mapped(refund_notice, self.name, data)

    def transfer(self, *, transfer_no, openid, amount_fen, description, user_name=None, notify_url=None):
        """商家转账 bill `transfer_no` to a user's change; WeChat answers its state (usually WAIT_USER_CONFIRM with
        the package_info the payee confirms with). The same out_bill_no again answers the same bill."""
        payload = {"appid": self.appid, "out_bill_no": transfer_no, "transfer_scene_id": self.transfer_scene_id,
                   "openid": openid, "transfer_amount": fen(amount_fen),
                   "transfer_remark": (description or "佣金提现")[:32],
                   "transfer_scene_report_infos": [{"info_type": "岗位类型", "info_content": "分销员"},
                                                   {"info_type": "报酬说明", "info_content": (description or "佣金")[:32]}]}
        if notify_url:
            payload["notify_url"] = notify_url
        headers = {}
        if user_name:  # the payee's real name travels encrypted with the platform key it names
            serial, key = self._encryption_key()
            payload["user_name"] = crypto.encrypt_field(key, user_name)
            headers[crypto.SERIAL] = serial
        data = self._call("POST", TRANSFER_BILLS, payload, headers=headers)
        return _mapped(transfer_notice, self.name, {"out_bill_no": transfer_no, "openid": openid, **data})

    def query_transfer(self, transfer_no):
        data = self._call("GET", f"{TRANSFER_BILLS}/out-bill-no/{quote(transfer_no, safe='')}",
                          not_found={"NOT_FOUND", "RESOURCE_NOT_EXISTS"})
        return None if data is None else _mapped(transfer_notice, self.name, data)

    def cancel_transfer(self, transfer_no):
        data = self._call("POST", f"{TRANSFER_BILLS}/out-bill-no/{quote(transfer_no, safe='')}/cancel", {})
        return _mapped(transfer_notice, self.name, {"out_bill_no": transfer_no, **data})

    # --- HTTP ------------------------------------------------------------------------------

    def _call(self, method, path, payload=None, headers=None, not_found=()):
        """The verified JSON answer of a signed request; None for a verified 404 with a `not_found` code."""
        status, response_headers, raw = self._send(method, path, payload, headers or {})
        signed = crypto.header(response_headers, crypto.SIGNATURE) is not None
        if 200 <= status < 300 or signed:
            self._verify_response(response_headers, raw)
        if 200 <= status < 300:
            return _json(raw) if raw else {}
        # Error answers are verified when signed; like WeChat's own SDKs we do not insist that they are.
        error = _error_body(raw)
        code, message = error.get("code") or f"HTTP_{status}", error.get("message") or ""
        if status == 404 and code in not_found:
            return None
        retryable = status >= 500 or status == 429 or code in RETRYABLE_CODES
        raise WechatPayError(f"WeChat Pay {code}: {message}".rstrip(": "), retryable=retryable, code=code,
                             http_status=status)

    def _send(self, method, path, payload, headers):
        body = b"" if payload is None else json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        url = self.base_url + path
        parts = urlsplit(url)
        headers = {"Accept": "application/json", "Content-Type": "application/json",
                   "User-Agent": "shop-wechatpay/1", **headers,
                   "Authorization": crypto.build_authorization(
                       mchid=self.mchid, serial_no=self.serial_no, private_key=self.private_key, method=method,
                       url_path=parts.path + ("?" + parts.query if parts.query else ""), body=body,
                       timestamp=int(self.clock()))}
        if self.public_key_id:  # tells WeChat to sign its answer with the public-key-mode key
            headers.setdefault(crypto.SERIAL, self.public_key_id)
        request = urllib.request.Request(url, data=body if payload is not None else None, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as err:
            with err:
                return err.code, err.headers, err.read()
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            raise WechatPayError(f"WeChat Pay unreachable: {exc}", retryable=True) from None

    def _verify_response(self, headers, raw):
        try:
            crypto.verify_signed(headers, raw, self._keys_for(crypto.header(headers, crypto.SERIAL)),
                                 now=self.clock())
        except NotificationRejected as exc:
            # The request may have been carried out: the caller must query or retry with the same numbers.
            raise WechatPayError(f"WeChat Pay answer failed verification: {exc.reason}", retryable=True) from None

    # --- platform keys ---------------------------------------------------------------------

    def _keys_for(self, serial):
        """serial -> public key: the WeChat Pay public key and the platform certificates together (during
        WeChat's switch from certificates to the public key it signs with either, at random), downloading the
        certificates again when WeChat names a serial we have not seen."""
        return {**self._certificate_keys(crypto.canonical_serial(serial)), **self._keys}

    def _certificate_keys(self, serial):
        certificates = self._certificates
        unknown = serial and serial not in self._keys and serial not in certificates
        if (self.certificate_mode and not certificates) or (unknown and self._may_refresh()):
            try:
                certificates = self.load_certificates()
            except WechatPayError:
                if self.certificate_mode:
                    raise  # no key at all to check with: ask WeChat to retry
                # Public-key mode: a merchant past the switch has no certificates; the serial is unknown.
        return {serial_no: cert.public_key() for serial_no, cert in certificates.items()}

    def _may_refresh(self):
        loaded = self._certificates_loaded_at
        return loaded is None or time.monotonic() - loaded >= CERTIFICATE_REFRESH_SECONDS

    def load_certificates(self):
        """Download and decrypt the platform certificates (certificate mode); {serial: certificate}."""
        with self._lock:
            status, headers, raw = self._send("GET", "/v3/certificates", None, {})
            self._certificates_loaded_at = time.monotonic()
            if status != 200:
                error = _error_body(raw)
                code = error.get("code") or f"HTTP_{status}"
                raise WechatPayError(f"WeChat Pay certificates: {code} {error.get('message', '')}".rstrip(),
                                     retryable=True, code=code, http_status=status)
            now = datetime.now(timezone.utc)
            certificates = {}
            for item in _json(raw).get("data") or []:
                try:
                    cert = crypto.load_certificate(crypto.decrypt_resource(self.apiv3_key, item["encrypt_certificate"]))
                except (KeyError, ValueError) as exc:
                    raise WechatPayError(f"WeChat Pay certificate cannot be opened: {exc}", retryable=False) from None
                # Serials compared as numbers: a listed "0A1B…" is the certificate whose serial is 0xA1B….
                if crypto.canonical_serial(item.get("serial_no")) == crypto.certificate_serial(cert) and \
                        cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
                    certificates[crypto.certificate_serial(cert)] = cert
            # The list is signed by one of its own certificates (or, during the switch, by the public key we
            # hold); the APIv3-key encryption is what proves the certificates are WeChat's.
            try:
                crypto.verify_signed(headers, raw, {**{s: c.public_key() for s, c in certificates.items()},
                                                    **self._keys}, now=self.clock())
            except NotificationRejected as exc:
                raise WechatPayError(f"WeChat Pay certificates failed verification: {exc.reason}",
                                     retryable=True) from None
            self._certificates = certificates
            return certificates

    def _encryption_key(self):
        """(serial, public key) to encrypt a sensitive field for WeChat: the newest platform key."""
        if not self.certificate_mode:
            return self.public_key_id, self._keys[self.public_key_id]
        certificates = self._certificates or self.load_certificates()
        serial, cert = max(certificates.items(), key=lambda item: item[1].not_valid_after_utc)
        return serial, cert.public_key()


def _mapped(build, gateway, data):
    try:
        return build(gateway, data)
    except (KeyError, TypeError, ValueError) as exc:
        raise WechatPayError(f"WeChat Pay answer malformed ({type(exc).__name__}: {exc})", retryable=True) from None


def _json(raw):
    """A JSON object answered by WeChat; WechatPayError for anything else."""
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise WechatPayError("WeChat Pay answered something that is not a JSON object", retryable=True)
    return data


def _error_body(raw):
    """{code, message} of an error answer, or {} when it has none (a proxy's error page, say)."""
    try:
        return _json(raw)
    except WechatPayError:
        return {}


def _load(loader, path):
    """A key from a PEM file; keys live outside the repository, at paths given by the settings."""
    try:
        with open(path, "rb") as handle:
            return loader(handle.read())
    except OSError as exc:
        raise GatewayError(f"WeChat Pay key file unreadable: {exc}", retryable=False) from None
    except (ValueError, TypeError) as exc:
        raise GatewayError(f"WeChat Pay key file {path} is not a PEM key: {exc}", retryable=False) from None
