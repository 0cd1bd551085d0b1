/* "Open cases near me": fill the form with the phone's position and search. The form works
   without this (type the coordinates); the messages come from the page, in its language.
   With no network the search is answered from the field kit kept on the phone
   (field-cache.js: the open cases of the worker's area, refreshed whenever this page opens
   with a network), nearest first, with the time the kit was taken. */
(function () {
  "use strict";
  var form = document.getElementById("near-form");
  var button = document.getElementById("use-position");
  var status = document.getElementById("position-status");
  var results = document.getElementById("near-results");
  var offlineEl = document.getElementById("near-offline");
  var field = window.PingliField;
  var cfg = offlineEl ? JSON.parse(offlineEl.textContent) : null;
  if (!form) return;

  if (field && cfg && navigator.onLine) field.refresh(cfg.owner, true); // the freshest list, for later

  function node(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function distanceLabel(m) {
    if (m < 1000) return cfg.strings.m.replace("%(n)s", String(Math.round(m)));
    return cfg.strings.km.replace("%(n)s", (m / 1000).toFixed(1).replace(/\.0$/, ""));
  }

  // The same list the server renders, from the kept cases.
  function answerFromPhone() {
    if (!field || !cfg || !results) return;
    var lon = parseFloat(form.elements.lon.value), lat = parseFloat(form.elements.lat.value);
    var radius = parseFloat(form.elements.radius_m.value) || 1000;
    field.load(cfg.owner).then(function (kit) {
      results.textContent = "";
      results.setAttribute("data-offline", "1");
      if (!kit || !kit.cases) { results.appendChild(node("p", "notice notice-warn", cfg.strings.nothing_kept)); return; }
      var when = new Date(kit.savedAt).toLocaleString();
      results.appendChild(node("p", "notice notice-warn", cfg.strings.offline.replace("%(when)s", when)));
      if (isNaN(lon) || isNaN(lat)) return;
      var found = field.near(kit, lon, lat, radius);
      if (!found.length) { results.appendChild(node("p", "muted empty", cfg.strings.none)); return; }
      var list = node("ul", "cases");
      found.forEach(function (x) {
        var p = x.f.properties;
        var item = node("li", "case risk-" + p.risk);
        var a = node("a", "case-link");
        a.href = "/disputes/" + p.id;
        var no = node("span", "case-no", p.case_no + " · ");
        no.appendChild(node("strong", "distance", distanceLabel(x.d)));
        a.appendChild(no);
        a.appendChild(node("span", "case-title", p.title));
        var meta = node("span", "case-meta");
        meta.appendChild(node("span", "badge status-" + p.status, cfg.labels.status[p.status] || p.status));
        meta.appendChild(node("span", "badge", cfg.labels.category[p.category] || p.category));
        a.appendChild(meta);
        item.appendChild(a);
        list.appendChild(item);
      });
      results.appendChild(list);
    });
  }

  // htmx asks the server; with no network the phone answers instead.
  form.addEventListener("htmx:beforeRequest", function (event) {
    if (navigator.onLine) return;
    event.preventDefault();
    answerFromPhone();
  });
  form.addEventListener("htmx:sendError", answerFromPhone);

  if (!button || !status || !("geolocation" in navigator)) return;
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
