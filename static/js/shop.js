/* Small progressive enhancements; every page also works without JavaScript. */
(function () {
  "use strict";
  function toast(text) {
    var t = document.createElement("div");
    t.className = "toast"; t.setAttribute("role", "status"); t.textContent = text;
    document.body.appendChild(t);
    setTimeout(function () { t.remove(); }, 1800);
  }
  // Quantity steppers; in the cart a change submits the line's form.
  document.querySelectorAll(".stepper").forEach(function (box) {
    var input = box.querySelector("input[type=number]");
    box.querySelectorAll("button[data-step]").forEach(function (b) {
      b.addEventListener("click", function () {
        var v = Math.max(1, Math.min(99, (parseInt(input.value, 10) || 1) + parseInt(b.dataset.step, 10)));
        if (String(v) !== input.value) { input.value = v; input.dispatchEvent(new Event("change")); }
      });
    });
    if (box.classList.contains("auto-submit")) {
      input.addEventListener("change", function () { box.submit(); });
    }
  });
  // SKU picker: show the chosen SKU's price and stock.
  var form = document.getElementById("sku-form");
  if (form) {
    form.addEventListener("change", function (e) {
      if (e.target.name !== "sku_id") return;
      document.getElementById("sku-price").textContent = e.target.dataset.price;
      var stock = document.getElementById("sku-stock");
      stock.textContent = stock.dataset.label ? stock.dataset.label.replace("%s", e.target.dataset.stock) : "库存 " + e.target.dataset.stock;
      form.querySelector("input[name=quantity]").max = Math.min(99, parseInt(e.target.dataset.stock, 10));
    });
    form.addEventListener("submit", function (e) {
      if (!form.querySelector("input[name=sku_id]:checked")) { e.preventDefault(); toast(form.dataset.pick || "请选择规格"); }
    });
  }
  // Copy buttons (invite links).
  document.querySelectorAll("[data-copy]").forEach(function (b) {
    b.addEventListener("click", function () {
      var input = document.querySelector(b.dataset.copy);
      input.select();
      var done = function () { toast(b.dataset.done); };
      if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); }); }
      else { document.execCommand("copy"); done(); }
    });
  });
  // The distributor center's section bar scrolls sideways on a phone: keep the current section in view.
  var current = document.querySelector("#center-nav a.on");
  if (current) { current.scrollIntoView({ block: "nearest", inline: "center" }); }
  // Back links: the browser's back when there is a page to go back to, else the link's own target (home).
  document.querySelectorAll("a[data-back]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      if (window.history.length > 1) { e.preventDefault(); window.history.back(); }
    });
  });
  // Confirmation for destructive buttons.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) { if (!window.confirm(f.dataset.confirm)) e.preventDefault(); });
  });
  // Login tabs.
  document.querySelectorAll("[data-tab]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      document.querySelectorAll("[data-tab]").forEach(function (x) { x.classList.toggle("on", x === a); });
      document.querySelectorAll(".tab-pane").forEach(function (p) { p.classList.toggle("hidden", p.id !== a.dataset.tab); });
    });
  });
  // Send an SMS code, then count down.
  var send = document.getElementById("send-code");
  if (send) {
    send.addEventListener("click", function () {
      var phone = document.querySelector("#sms input[name=phone]").value;
      var body = new URLSearchParams({ phone: phone, csrf_token: send.dataset.csrf });
      send.disabled = true;
      fetch(send.dataset.url, { method: "POST", body: body, headers: { "X-CSRFToken": send.dataset.csrf } })
        .then(function (r) { return r.json().catch(function () { return { ok: false, message: r.statusText }; }); })
        .then(function (data) {
          document.getElementById("code-msg").textContent = data.message;
          if (!data.ok) { send.disabled = false; return; }
          var left = 60, label = send.textContent;
          var timer = setInterval(function () {
            send.textContent = left + "s"; left -= 1;
            if (left < 0) { clearInterval(timer); send.textContent = label; send.disabled = false; }
          }, 1000);
        });
    });
  }
  // Withdrawal form: the fee and what arrives, computed like the server does (integer fen, fee rounded down),
  // and only the chosen method's payee fields shown.
  var wform = document.getElementById("withdraw-form");
  if (wform) {
    var amount = document.getElementById("withdraw-amount");
    var feeBp = parseInt(wform.dataset.feeBp, 10) || 0;
    var money = function (fen) {
      var sign = fen < 0 ? "-" : "", abs = Math.abs(fen);
      return sign + "¥" + Math.floor(abs / 100) + "." + ("0" + (abs % 100)).slice(-2);
    };
    var toFen = function (text) {
      var m = /^\s*(\d{1,10})(?:\.(\d{1,2}))?\s*$/.exec(text || "");
      return m ? parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10) : null;
    };
    var quote = function () {
      var fen = toFen(amount.value);
      var fee = fen === null ? 0 : Math.floor(fen * feeBp / 10000);
      document.getElementById("withdraw-fee").textContent = money(fee);
      document.getElementById("withdraw-net").textContent = money(fen === null ? 0 : fen - fee);
    };
    amount.addEventListener("input", quote);
    var all = document.getElementById("withdraw-all");
    if (all) { all.addEventListener("click", function () { amount.value = all.dataset.amount; quote(); }); }
    var showPayee = function () {
      var chosen = wform.querySelector("input[name=method]:checked");
      wform.querySelectorAll("fieldset.payee").forEach(function (f) {
        f.classList.toggle("hidden", !!chosen && f.dataset.method !== chosen.value);
      });
    };
    wform.querySelectorAll("input[name=method]").forEach(function (m) { m.addEventListener("change", showPayee); });
    showPayee();
    if (amount.value) { quote(); }
  }
  // A page served from the cache to a visitor with no session yet carries empty CSRF token fields (viewing starts no
  // session): the first post asks the server for the token, fills the empty fields and submits again with the same
  // button. Without JavaScript the server refuses that first post and starts the session for the retry.
  var asking = false;
  document.addEventListener("submit", function (e) {
    var f = e.target, field = f.querySelector("input[name=csrf_token]");
    if (e.defaultPrevented || !field || field.value || (f.getAttribute("method") || "").toLowerCase() !== "post") return;
    e.preventDefault();
    if (asking) return;
    asking = true;
    var submitter = e.submitter;
    fetch("/csrf-token", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        document.querySelectorAll("input[name=csrf_token]").forEach(function (i) { if (!i.value) { i.value = data.token; } });
        if (f.requestSubmit) { f.requestSubmit(submitter || undefined); return; }
        if (submitter && submitter.getAttribute("formaction")) { f.action = submitter.getAttribute("formaction"); }
        f.submit();
      })
      .catch(function () { asking = false; f.submit(); });  // the server answers with its own message
  });
})();
