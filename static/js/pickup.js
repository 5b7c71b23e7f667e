/* 到店自提 at checkout: ask the browser for the shopper's location (when they allow it) and list the stores
   nearest to it (the page reloads with lat/lng); without a location the city select lists a city's stores.
   Asked once on its own when nothing is chosen yet; the button asks again. */
(function () {
  "use strict";
  var box = document.getElementById("pickup-locate");
  if (!box) return;
  var state = document.getElementById("pickup-locate-state");
  var button = document.getElementById("pickup-locate-btn");
  var city = document.getElementById("pickup-city");

  function denied() {
    state.textContent = state.dataset.denied;
    if (city) city.focus();
  }

  function go(position) {
    var url = new URL(box.dataset.url, window.location.href);
    url.searchParams.set("lat", position.coords.latitude.toFixed(6));
    url.searchParams.set("lng", position.coords.longitude.toFixed(6));
    window.location.assign(url.toString());
  }

  function locate() {
    if (!navigator.geolocation) { denied(); return; }
    state.textContent = state.dataset.busy;
    navigator.geolocation.getCurrentPosition(go, denied, { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 });
  }

  button.addEventListener("click", locate);
  if (city) city.addEventListener("change", function () { if (city.value) city.form.submit(); });
  if (box.dataset.auto) locate();
})();
