/* "Open cases near me": fill the form with the phone's position and search. The form works
   without this (type the coordinates); the messages come from the page, in its language. */
(function () {
  "use strict";
  var form = document.getElementById("near-form");
  var button = document.getElementById("use-position");
  var status = document.getElementById("position-status");
  if (!form || !button || !status || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = status.dataset.locating;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.lon.value = position.coords.longitude.toFixed(6);
        form.elements.lat.value = position.coords.latitude.toFixed(6);
        status.textContent = status.dataset.accuracy.replace("%(m)s", String(Math.round(position.coords.accuracy)));
        form.requestSubmit();
      },
      function () { status.textContent = status.dataset.failed; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
