/* The small map of the capture forms (log a case, patrol check-in): the point as a pin over
 * the boundaries of the worker's grids, on the county's base map (basemap.js).
 *
 * - A point in the form (a GPS fix, typed, or an outbox entry opened again) puts the pin there
 *   and picks the grid holding it for the worker (the grid select).
 * - Dragging the pin corrects the point: the coordinates follow, the GPS accuracy no longer
 *   applies, and the point is kept as placed by hand (location_source "manual").
 * - The grids come from the field kit on the phone (field-cache.js), so all of this works with
 *   no signal; the kit is refreshed when there is one.
 * - On GCJ-02 tiles the pin and the outlines are shifted for display only; what the form holds
 *   and sends stays WGS84.
 * Without JavaScript, or without Leaflet, the form is as before: two coordinate fields.
 */
(function () {
  'use strict';

  var form = document.querySelector('form[data-outbox]');
  var box = form && form.querySelector('[data-capture-map]');
  var configEl = document.getElementById('capture-map-config');
  if (!box || !configEl || !window.L || !window.PingliBasemap) return;
  var cfg = JSON.parse(configEl.textContent);
  var S = cfg.strings;
  var kitApi = window.PingliField;

  function field(name) { return form.elements.namedItem(name); }
  var lonField = field('lon'), latField = field('lat');
  var accuracy = field('gps_accuracy_m'), source = field('location_source'), gridSelect = field('grid_id');
  var status = box.querySelector('[data-map-status]');
  var el = box.querySelector('[data-map]');

  box.hidden = false;
  var map = L.map(el, {
    attributionControl: Boolean(cfg.basemap && cfg.basemap.layers.length),
    zoomControl: false, zoomSnap: 0.5, minZoom: 5, maxZoom: 18
  });
  L.control.zoom({ zoomInTitle: S.zoom_in, zoomOutTitle: S.zoom_out }).addTo(map);
  var B = PingliBasemap.attach(map, cfg.basemap);
  map.setView(B.toMap(32.72, 113.32), 9); // until the grids or the point say better

  var chosen = null; // the grid feature holding the point
  var grids = L.geoJSON(null, {
    coordsToLatLng: function (c) { return B.toMap(c[1], c[0]); },
    style: function () { return { color: '#3b6ea5', weight: 1.2, className: 'grid-outline' }; },
    onEachFeature: function (f, layer) {
      // no tiles: nothing else names the place
      layer.bindTooltip(f.properties.name, { permanent: !B.tiled, direction: 'center', className: 'grid-label' });
    }
  }).addTo(map);
  var kit = null;
  var marker = null;

  // the grid holding the point stands out (Leaflet sets a class only once: toggle it here)
  function paint() {
    grids.eachLayer(function (layer) {
      var mine = Boolean(chosen && chosen.properties.id === layer.feature.properties.id);
      layer.setStyle({ weight: mine ? 2.5 : 1.2 });
      var path = layer.getElement && layer.getElement();
      if (path) path.classList.toggle('is-chosen', mine);
    });
  }

  function point() {
    var lon = parseFloat(lonField.value), lat = parseFloat(latField.value);
    if (isNaN(lon) || isNaN(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) return null;
    return { lon: lon, lat: lat };
  }

  function say(text) { status.textContent = text || ''; }

  function pickGrid(p) {
    if (!kit || !kitApi) return;
    chosen = kitApi.gridAt(kit.areas, p.lon, p.lat);
    paint();
    box.setAttribute('data-grid', chosen ? String(chosen.properties.id) : '');
    if (!chosen) { say(S.outside); return; }
    if (gridSelect && gridSelect.querySelector('option[value="' + chosen.properties.id + '"]')) {
      gridSelect.value = String(chosen.properties.id);
    }
    var manual = source && source.value === 'manual';
    say(S.in_grid.replace('%(name)s', chosen.properties.name) + ' ' + (manual ? S.manual : S.drag));
  }

  function dragged() {
    var w = B.fromMap(marker.getLatLng());
    lonField.value = w.lng.toFixed(6);
    latField.value = w.lat.toFixed(6);
    if (accuracy) accuracy.value = '';
    if (source) source.value = 'manual';
    // capture.js hears it as a point typed by hand (the accuracy's words go)
    lonField.dispatchEvent(new Event('input', { bubbles: true }));
    show(false);
  }

  function show(recentre) {
    var p = point();
    box.setAttribute('data-point', p ? p.lon.toFixed(6) + ',' + p.lat.toFixed(6) : '');
    if (!p) {
      if (marker) { marker.remove(); marker = null; }
      chosen = null;
      paint();
      say('');
      return;
    }
    var at = B.toMap(p.lat, p.lon);
    if (!marker) {
      marker = L.marker(at, {
        draggable: true, autoPan: true, title: S.pin, alt: S.pin,
        icon: L.divIcon({ className: 'capture-pin', iconSize: [22, 22], iconAnchor: [11, 27] })
      }).addTo(map);
      marker.on('dragend', dragged);
    } else {
      marker.setLatLng(at);
    }
    var manual = source && source.value === 'manual';
    if (marker.getElement()) marker.getElement().classList.toggle('is-manual', Boolean(manual));
    if (recentre !== false) map.setView(at, Math.max(map.getZoom(), 16));
    pickGrid(p);
  }

  function drawKit(found) {
    if (!found || !found.areas) return;
    kit = found;
    grids.clearLayers();
    grids.addData(found.areas);
    if (!point() && grids.getLayers().length) map.fitBounds(grids.getBounds(), { padding: [8, 8] });
    el.setAttribute('data-grids', String(grids.getLayers().length));
    if (point()) show(true);
  }

  // A point that came from the phone's fix (capture.js tells), was typed, or the form was
  // cleared or filled from the outbox.
  form.addEventListener('pingli:point', function (event) {
    if (source && event.detail && event.detail.source) source.value = event.detail.source;
    show(true);
  });
  [lonField, latField].forEach(function (input) {
    input.addEventListener('input', function (event) {
      if (event.isTrusted && source) source.value = 'manual'; // typed: by hand too
      show(true);
    });
  });
  form.addEventListener('reset', function () { setTimeout(function () { show(true); }, 0); });

  // for tests and for whoever debugs a phone: the map and its pin
  el.pingliMap = { map: map, basemap: B, marker: function () { return marker; } };

  if (kitApi) {
    kitApi.load(cfg.owner).then(function (kept) {
      drawKit(kept);
      return kitApi.refresh(cfg.owner);
    }).then(function (fresh) { if (fresh && fresh !== kit) drawKit(fresh); });
  }
  show(true);
})();
