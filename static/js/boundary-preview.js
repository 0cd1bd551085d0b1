/* The boundary upload's preview: the areas the file creates, moves or renames, drawn with
   Leaflet from the GeoJSON in #preview-data (a moved area also shows its old line, dashed),
   over the county's base map (basemap.js; none by default: nothing fetched from anywhere). */
(function () {
  "use strict";
  var el = document.getElementById("preview-map");
  var data = document.getElementById("preview-data");
  var baseEl = document.getElementById("basemap-config");
  if (!el || !data || !window.L || !window.PingliBasemap) return;
  var collection = JSON.parse(data.textContent);
  var styles = {
    created: { color: "#1a7f37", weight: 2, fillOpacity: 0.25 },
    moved: { color: "#bc4c00", weight: 2, fillOpacity: 0.2 },
    renamed: { color: "#0969da", weight: 2, fillOpacity: 0.1 },
    old: { color: "#57606a", weight: 1.5, dashArray: "4 4", fill: false }
  };
  var base = baseEl ? JSON.parse(baseEl.textContent) : null;
  var map = L.map(el, { attributionControl: Boolean(base && base.layers.length), zoomSnap: 0.5, maxZoom: 18 });
  var B = PingliBasemap.attach(map, base);
  var layer = L.geoJSON(collection, {
    coordsToLatLng: function (c) { return B.toMap(c[1], c[0]); },
    style: function (f) { return styles[f.properties.action] || styles.renamed; },
    onEachFeature: function (f, l) {
      l.bindTooltip(f.properties.name + " · " + f.properties.code);
    }
  }).addTo(map);
  var bounds = layer.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
  else map.setView(B.toMap(32.72, 113.32), 9);
  el.setAttribute("data-features", String(collection.features.length));
  el.classList.add("ready");
})();
