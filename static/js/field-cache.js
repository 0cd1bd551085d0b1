/* The field kit kept on the phone for use with no signal: the boundaries of the worker's own
 * grids (the capture map picks the grid of a point with them) and the open cases of the area
 * (/near lists the nearest without the network).
 *
 * IndexedDB "pingli-field", one record per signed-in person: {owner, areas (GeoJSON of the
 * grids), cases (GeoJSON points of the open cases), savedAt}. Refreshed from the scoped map API
 * whenever a page that uses it opens with a network (at most every few minutes). A record of
 * anybody else is dropped on sight, and signing out deletes the database (app.js).
 */
(function (self) {
  'use strict';

  var DB_NAME = 'pingli-field';
  var STORE = 'kits';
  var FRESH_MS = 5 * 60 * 1000;
  var MAX_CASES = 2000;
  var opening = null;

  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        if (!self.indexedDB) { reject(new Error('no IndexedDB')); return; }
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: 'owner' }); };
        request.onsuccess = function () {
          var db = request.result;
          db.onversionchange = function () { db.close(); opening = null; };
          resolve(db);
        };
        request.onerror = function () { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  function run(mode, body) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction([STORE], mode);
        var result;
        t.oncomplete = function () { resolve(result); };
        t.onerror = function () { reject(t.error); };
        body(t.objectStore(STORE), function (value) { result = value; });
      });
    });
  }

  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/geo+json' } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); });
  }

  function bounds(collection) {
    var box = [Infinity, Infinity, -Infinity, -Infinity];
    function walk(c) {
      if (typeof c[0] === 'number') {
        box[0] = Math.min(box[0], c[0]); box[1] = Math.min(box[1], c[1]);
        box[2] = Math.max(box[2], c[0]); box[3] = Math.max(box[3], c[1]);
      } else c.forEach(walk);
    }
    collection.features.forEach(function (f) { if (f.geometry) walk(f.geometry.coordinates); });
    return box[0] === Infinity ? null : box;
  }

  // Is [lon, lat] inside a GeoJSON Polygon/MultiPolygon (holes respected)?
  function ringHolds(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function polygonHolds(rings, x, y) {
    if (!ringHolds(rings[0], x, y)) return false;
    for (var k = 1; k < rings.length; k++) if (ringHolds(rings[k], x, y)) return false;
    return true;
  }
  function holds(geometry, lon, lat) {
    if (!geometry) return false;
    if (geometry.type === 'Polygon') return polygonHolds(geometry.coordinates, lon, lat);
    if (geometry.type === 'MultiPolygon') {
      return geometry.coordinates.some(function (p) { return polygonHolds(p, lon, lat); });
    }
    return false;
  }

  // The grid holding a point, of the kit's areas: on a shared border the smallest code, as
  // the server decides (app/geo).
  function gridAt(areas, lon, lat) {
    var found = (areas && areas.features || []).filter(function (f) { return holds(f.geometry, lon, lat); });
    found.sort(function (a, b) { return String(a.properties.code).localeCompare(String(b.properties.code)); });
    return found[0] || null;
  }

  // metres between two WGS84 points (haversine; plenty for "how far is it on foot")
  function distance(lon1, lat1, lon2, lat2) {
    var r = Math.PI / 180;
    var a = Math.pow(Math.sin((lat2 - lat1) * r / 2), 2) +
      Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.pow(Math.sin((lon2 - lon1) * r / 2), 2);
    return 2 * 6371008.8 * Math.asin(Math.sqrt(a));
  }

  var api = {
    load: function (owner) {
      if (!owner) return Promise.resolve(null);
      return run('readwrite', function (store, done) {
        store.getAll().onsuccess = function (e) {
          var mine = null;
          e.target.result.forEach(function (kit) {
            if (kit.owner === owner) mine = kit;
            else store.delete(kit.owner); // somebody else's: not to be kept
          });
          done(mine);
        };
      }).catch(function () { return null; });
    },
    // Fetch the kit afresh (when online and the kept one is older than a few minutes).
    refresh: function (owner, force) {
      if (!owner || !navigator.onLine) return api.load(owner);
      return api.load(owner).then(function (kept) {
        if (kept && !force && Date.now() - kept.savedAt < FRESH_MS) return kept;
        return getJSON('/api/v1/map/areas?level=grid&zoom=16').then(function (areas) {
          var box = bounds(areas);
          var cases = box
            ? getJSON('/api/v1/map/cases?status=open&per_page=' + MAX_CASES + '&bbox=' + box.map(function (v) { return v.toFixed(6); }).join(','))
            : Promise.resolve({ type: 'FeatureCollection', features: [] });
          return cases.then(function (open) {
            var kit = { owner: owner, areas: areas, cases: open, savedAt: Date.now() };
            return run('readwrite', function (store) { store.put(kit); }).then(function () { return kit; });
          });
        }).catch(function () { return kept; });
      });
    },
    forget: function () {
      opening = null;
      return new Promise(function (resolve) {
        if (!self.indexedDB) { resolve(); return; }
        var r = indexedDB.deleteDatabase(DB_NAME);
        r.onsuccess = r.onerror = r.onblocked = function () { resolve(); };
      });
    },
    gridAt: gridAt,
    holds: holds,
    distance: distance,
    // the kit's open cases within `radius` metres of a point, nearest first
    near: function (kit, lon, lat, radius) {
      return ((kit && kit.cases && kit.cases.features) || []).map(function (f) {
        var c = f.geometry.coordinates;
        return { f: f, d: distance(lon, lat, c[0], c[1]) };
      }).filter(function (x) { return x.d <= radius; })
        .sort(function (a, b) { return a.d - b.d; });
    }
  };

  self.PingliField = api;
})(typeof self !== 'undefined' ? self : this);
