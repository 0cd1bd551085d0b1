/* The boundary upload's preview: the areas the file creates, moves or renames, drawn with
   Leaflet from the GeoJSON in #preview-data (a moved area also shows its old line, dashed).
   No tiles: nothing is fetched from anywhere. */
(function () {
  "use strict";
  var el = document.getElementById("preview-map");
  var data = document.getElementById("preview-data");
  if (!el || !data || !window.L) return;
  var collection = JSON.parse(data.textContent);
  var styles = {
    created: { color: "#1a7f37", weight: 2, fillOpacity: 0.25 },
    moved: { color: "#bc4c00", weight: 2, fillOpacity: 0.2 },
    renamed: { color: "#0969da", weight: 2, fillOpacity: 0.1 },
    old: { color: "#57606a", weight: 1.5, dashArray: "4 4", fill: false }
  };
  var map = L.map(el, { attributionControl: false, zoomSnap: 0.5 });
  var layer = L.geoJSON(collection, {
    style: function (f) { return styles[f.properties.action] || styles.renamed; },
    onEachFeature: function (f, l) {
      l.bindTooltip(f.properties.name + " · " + f.properties.code);
    }
  }).addTo(map);
  var bounds = layer.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
  else map.setView([32.72, 113.32], 9);
  el.setAttribute("data-features", String(collection.features.length));
  el.classList.add("ready");
})();
