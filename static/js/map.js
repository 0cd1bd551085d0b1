/* The map page. Leaflet draws four layers from the scoped /api/v1/map endpoints: the areas
   shaded by open-case density, the case points (clustered, coloured by status, ringed by
   risk), the hotspots and the reasoning rooms. Every word it shows comes from the server in
   #map-config, in the user's language. Tiles only from the county's base map (basemap.js:
   Tianditu, an XYZ address, or none); with none the boundaries and their names are drawn on a
   plain background and nothing is fetched from anywhere but this site. Points stay WGS84 in
   the data; on GCJ-02 tiles they are shifted as they are drawn (B.toMap). */
(function () {
  "use strict";
  var el = document.getElementById("map");
  var configEl = document.getElementById("map-config");
  if (!el || !configEl || !window.L || !window.PingliBasemap) return;
  var cfg = JSON.parse(configEl.textContent);
  var S = cfg.strings;
  var notice = document.getElementById("map-notice");

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }
  function query(extra) {
    var q = new URLSearchParams(cfg.query);
    Object.keys(extra || {}).forEach(function (k) { q.set(k, extra[k]); });
    return "?" + q.toString();
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); });
  }
  function failed() { notice.textContent = S.failed; }
  function node(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function link(href, text) { var a = node("a", "", text); a.href = href; return a; }

  // maxZoom is needed by the clusters when no tile layer sets one
  var map = L.map(el, { attributionControl: Boolean(cfg.basemap.layers.length), zoomControl: false, zoomSnap: 0.5, minZoom: 5, maxZoom: 18 });
  // Leaflet's own controls speak English: give them the page's words
  L.control.zoom({ zoomInTitle: S.zoom_in_button, zoomOutTitle: S.zoom_out_button }).addTo(map);
  var B = PingliBasemap.attach(map, cfg.basemap);
  if (cfg.centroid) map.setView(B.toMap(cfg.centroid[1], cfg.centroid[0]), cfg.zoom);

  var areas = L.geoJSON(null, {
    coordsToLatLng: function (c) { return B.toMap(c[1], c[0]); },
    style: function (f) {
      // colours live in map.css (.shade-N), shared with the table under the map
      return { color: "#4a5058", weight: 1.2, className: "area shade-" + f.properties.shade };
    },
    onEachFeature: function (f, layer) {
      var p = f.properties;
      var box = node("div", "popup");
      box.appendChild(node("strong", "", p.name));
      box.appendChild(node("div", "", fmt(S.open, { n: p.open })));
      box.appendChild(node("div", "muted", fmt(S.density, { d: p.density })));
      if (p.id !== cfg.node.id) box.appendChild(link(cfg.urls.map + query({ node: p.id, level: "" }), S.zoom_in));
      layer.bindPopup(box);
      // the area's name and open cases written on it; a hover tooltip when they are too many
      if (labelled) {
        layer.bindTooltip(p.name + " " + p.open, { permanent: true, direction: "center", className: "area-label" });
      } else {
        layer.bindTooltip(p.name + " · " + fmt(S.open, { n: p.open }), { sticky: true });
      }
    }
  }).addTo(map);
  var labelled = false;

  var cases = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 45 });
  cases.addTo(map);
  var spots = L.layerGroup().addTo(map);
  var rooms = L.layerGroup();
  var overlays = {};
  overlays[S.areas] = areas;
  overlays[S.cases] = cases;
  overlays[S.hotspots] = spots;
  overlays[S.rooms] = rooms;
  var layers = L.control.layers(null, overlays, { collapsed: true }).addTo(map);
  var toggle = layers.getContainer().querySelector(".leaflet-control-layers-toggle");
  if (toggle) { toggle.title = S.layers; toggle.setAttribute("aria-label", S.layers); }

  function casePopup(p) {
    var box = node("div", "popup");
    box.appendChild(node("div", "case-no", p.case_no));
    box.appendChild(node("strong", "", p.title));
    box.appendChild(node("div", "", [cfg.labels.status[p.status], cfg.labels.category[p.category], cfg.labels.risk[p.risk]].join(" · ")));
    box.appendChild(link(cfg.urls.case + p.id, S.view_case));
    return box;
  }

  function bbox() {
    var b = map.getBounds();
    var sw = B.fromMap(b.getSouthWest()), ne = B.fromMap(b.getNorthEast());
    return [sw.lng, sw.lat, ne.lng, ne.lat].map(function (v) { return v.toFixed(6); }).join(",");
  }

  var caseRequest = 0;
  var casesShown = null;  // the box last asked for: a view that did not move asks nothing
  function loadCases() {
    var box = bbox();
    if (box === casesShown) return;
    casesShown = box;
    var mine = ++caseRequest;
    getJSON(cfg.urls.cases + query({ bbox: box })).then(function (data) {
      if (mine !== caseRequest) return;  // a newer view asked since
      var markers = data.features.map(function (f) {
        var p = f.properties;
        var c = f.geometry.coordinates;
        var high = p.risk === "high";
        return L.circleMarker(B.toMap(c[1], c[0]), {
          radius: high ? 9 : (p.risk === "medium" ? 7 : 6),
          color: high ? "#111" : "#fff", weight: high ? 2.5 : 1, fillOpacity: 0.9,
          className: "case-point st-" + p.status + " risk-" + p.risk
        }).bindPopup(casePopup(p));
      });
      cases.clearLayers();
      cases.addLayers(markers);
      notice.textContent = data.truncated ? fmt(S.truncated, { shown: data.features.length, total: data.total }) : "";
    }).catch(function (e) { casesShown = null; failed(e); });
  }

  function loadSpots() {
    getJSON(cfg.urls.hotspots + query()).then(function (data) {
      spots.clearLayers();
      data.features.forEach(function (f) {
        var p = f.properties;
        var c = f.geometry.coordinates;
        var text = fmt(S.hotspot, { count: p.count, radius: data.radius_m, days: data.days, open: p.open });
        L.circle(B.toMap(c[1], c[0]), {
          radius: Math.max(p.radius_m, 80), weight: 2, dashArray: "6 4", className: "hotspot"
        }).bindTooltip(text).addTo(spots);
      });
    }).catch(failed);
  }

  function loadRooms() {
    getJSON(cfg.urls.rooms + query()).then(function (data) {
      rooms.clearLayers();
      data.features.forEach(function (f) {
        var p = f.properties;
        var c = f.geometry.coordinates;
        var box = node("div", "popup");
        box.appendChild(node("strong", "", p.name));
        box.appendChild(node("div", "", p.address));
        box.appendChild(node("div", "muted", fmt(S.capacity, { n: p.capacity })));
        L.marker(B.toMap(c[1], c[0]), { icon: L.divIcon({ className: "room-pin", iconSize: [16, 16] }), title: p.name, alt: p.name })
          .bindPopup(box).addTo(rooms);
      });
    }).catch(failed);
  }

  var moved = null;
  getJSON(cfg.urls.areas + query({ zoom: cfg.zoom })).then(function (data) {
    // without tiles nothing else names the places: every area is named, and the names
    // show while at most 40 of them are in view
    labelled = data.features.length <= 40 || !B.tiled;
    areas.addData(data);
    if (!B.tiled) {
      var crowd = function () {
        var view = map.getBounds();
        var seen = areas.getLayers().filter(function (l) { return view.intersects(l.getBounds()); }).length;
        el.classList.toggle("labels-crowded", seen > 40);
      };
      map.on("zoomend moveend", crowd);
      crowd();
    }
    // not animated: the view is final before the case points are asked for, and the
    // moveend of the fit (which would ask for them again) fires before the listener exists
    if (areas.getLayers().length) map.fitBounds(areas.getBounds(), { padding: [6, 6], animate: false });
    el.setAttribute("data-areas", String(areas.getLayers().length));
    loadCases();
    loadSpots();
    // the rooms layer starts hidden: asked for when it is first shown
    var roomsAsked = false;
    map.on("overlayadd", function (e) {
      if (e.layer === rooms && !roomsAsked) { roomsAsked = true; loadRooms(); }
    });
    map.on("moveend", function () {
      clearTimeout(moved);
      moved = setTimeout(loadCases, 300);
    });
  }).catch(failed);
})();
