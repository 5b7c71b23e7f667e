/* Flash-sale countdowns: each .flash-countdown counts down from its data-remaining seconds (measured by the server,
   so the phone's clock does not matter); at zero it shows data-done and reloads the page once. */
(function () {
  "use strict";
  if (window.flashCountdowns) return;
  window.flashCountdowns = true;
  var start = Date.now();
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var gone = Math.floor((Date.now() - start) / 1000);
    document.querySelectorAll(".flash-countdown").forEach(function (el) {
      var left = parseInt(el.dataset.remaining, 10) - gone;
      var time = el.querySelector(".flash-cd-time");
      if (left > 0) {
        time.textContent = pad(Math.floor(left / 3600)) + ":" + pad(Math.floor(left % 3600 / 60)) + ":" + pad(left % 60);
      } else if (!el.dataset.finished) {
        el.dataset.finished = "1";
        el.textContent = el.dataset.done;
        if (el.dataset.reload && parseInt(el.dataset.remaining, 10) > 0 && !window.flashReloading) {
          window.flashReloading = true;
          setTimeout(function () { window.location.reload(); }, 1500);
        }
      }
    });
  }
  function begin() { tick(); setInterval(tick, 1000); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", begin); else begin();
})();
