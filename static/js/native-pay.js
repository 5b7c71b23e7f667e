/* Native (QR code) payment: asks every few seconds whether the order is still unpaid, then shows the order. */
(function () {
  "use strict";
  var panel = document.getElementById("native-pay");
  if (!panel) { return; }
  var tries = 0;
  function check() {
    tries += 1;
    fetch(panel.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { pending: true }; })
      .then(function (data) {
        if (!data.pending) { window.location.href = panel.dataset.doneUrl; }
        else if (tries < 200) { window.setTimeout(check, 3000); }
      })
      .catch(function () { if (tries < 200) { window.setTimeout(check, 5000); } });
  }
  window.setTimeout(check, 3000);
})();
