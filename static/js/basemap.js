/* The base map of every map (the /map page, the capture map, the boundary preview), as the
   county chose it (/admin/basemap, app/rules/basemap.py): Tianditu vector + labels, an XYZ
   URL template, or none. The server hands its choice in each page's config as
   {kind, layers: [{url, subdomains}], attribution, gcj02, max_zoom}.

   Points are stored and computed in WGS84. GCJ-02 tiles (AMap, Tencent) draw China ~300–500 m
   off, so on those maps every coordinate is converted at display only: `toMap` before a point
   or outline goes on the map, `fromMap` for a point read back from it (a dragged pin). The
   formula is the well-known public-domain one; app/geo/gcj02.py is the same in Python. */
(function (self) {
  "use strict";
  var A = 6378245.0;
  var EE = 0.00669342162296594323;
  var PI = Math.PI;

  function outside(lon, lat) { return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271); }
  function dLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * PI) + 320.0 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    return r;
  }
  function dLon(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    return r;
  }
  // [lon, lat] WGS84 → [lon, lat] GCJ-02
  function wgs84ToGcj02(lon, lat) {
    if (outside(lon, lat)) return [lon, lat];
    var dlat = dLat(lon - 105.0, lat - 35.0);
    var dlon = dLon(lon - 105.0, lat - 35.0);
    var rad = lat / 180.0 * PI;
    var magic = 1 - EE * Math.sin(rad) * Math.sin(rad);
    var sqrtMagic = Math.sqrt(magic);
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtMagic) * PI);
    dlon = (dlon * 180.0) / (A / sqrtMagic * Math.cos(rad) * PI);
    return [lon + dlon, lat + dlat];
  }
  // the inverse, by iteration
  function gcj02ToWgs84(lon, lat) {
    if (outside(lon, lat)) return [lon, lat];
    var w = [lon, lat];
    for (var i = 0; i < 10; i++) {
      var g = wgs84ToGcj02(w[0], w[1]);
      var dx = g[0] - lon, dy = g[1] - lat;
      w = [w[0] - dx, w[1] - dy];
      if (Math.abs(dx) < 1e-10 && Math.abs(dy) < 1e-10) break;
    }
    return w;
  }

  // A base map for one Leaflet map: adds its tiles (from the configured URLs only) and says
  // how to place WGS84 points on it.
  function attach(map, cfg) {
    cfg = cfg || { kind: "none", layers: [] };
    var gcj = Boolean(cfg.gcj02);
    var container = map.getContainer();
    (cfg.layers || []).forEach(function (layer, i) {
      var options = { maxZoom: cfg.max_zoom || 18, attribution: i === 0 ? (cfg.attribution || "") : "" };
      if (layer.subdomains) options.subdomains = layer.subdomains;
      L.tileLayer(layer.url, options).addTo(map);
    });
    var tiled = Boolean(cfg.layers && cfg.layers.length);
    container.classList.add(tiled ? "map-tiled" : "map-plain");
    container.setAttribute("data-basemap", cfg.kind || "none");
    if (gcj) container.setAttribute("data-gcj02", "1");
    return {
      tiled: tiled,
      gcj02: gcj,
      // WGS84 (lat, lon) → a Leaflet LatLng on this map's tiles
      toMap: function (lat, lon) {
        if (!gcj) return L.latLng(lat, lon);
        var g = wgs84ToGcj02(lon, lat);
        return L.latLng(g[1], g[0]);
      },
      // a LatLng read from this map (a dragged pin) → WGS84 {lat, lng}
      fromMap: function (latLng) {
        if (!gcj) return L.latLng(latLng.lat, latLng.lng);
        var w = gcj02ToWgs84(latLng.lng, latLng.lat);
        return L.latLng(w[1], w[0]);
      },
      // for L.geoJSON: GeoJSON [lon, lat] → LatLng on this map
      coordsToLatLng: function (c) { return this.toMap(c[1], c[0]); }
    };
  }

  self.PingliBasemap = { wgs84ToGcj02: wgs84ToGcj02, gcj02ToWgs84: gcj02ToWgs84, attach: attach };
})(typeof self !== "undefined" ? self : this);
