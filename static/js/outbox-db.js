/* The outbox on the phone: what was logged here and not yet confirmed by the server.
 *
 * IndexedDB, because it survives closing the app, reboots and signing in again, and holds
 * photos as Blobs. No library: a few promise helpers over the raw API. Runs in pages and in
 * the service worker (Background Sync), so it touches no DOM.
 *
 * records: {id (the UUID the server will keep), kind, endpoint, owner, label, payload,
 *           state: queued|sending|failed|rejected|sent, delivered, server, error,
 *           attempts, tried, corrections, createdAt, updatedAt, sentAt}
 *          `tried`: a send was begun and its answer may have been lost, so the server may hold
 *          the record as it was sent: from then on it is not edited, it gets corrections.
 *          corrections: [{id (UUID), note, createdAt, state: queued|sent|rejected, error}]
 * photos:  {id (UUID), recordId, blob, type, size, width, height, state: queued|sent|rejected,
 *           error}
 * meta:    {key, value}, e.g. "auth": the last sync found the session expired.
 *
 * Webview mode (webview.js: an app's built-in browser such as WeChat's, or any browser
 * without a service worker or IndexedDB): the app may clear IndexedDB when the worker leaves
 * it, so the records (not the photos) are kept in localStorage as well. Every write goes to
 * both; every read merges both by the record's id (the later version wins) and writes back
 * into the copy that lost it. Without IndexedDB at all, localStorage alone holds the records
 * and the photos live only as long as the page (they are sent at once when online).
 */
(function (self) {
  'use strict';

  var DB_NAME = 'pingli-outbox';
  var DB_VERSION = 1;
  var CHANNEL = 'pingli-outbox';
  var opening = null;
  var listeners = [];
  var channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;

  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = function () {
          var db = request.result;
          db.createObjectStore('records', { keyPath: 'id' });
          db.createObjectStore('photos', { keyPath: 'id' }).createIndex('record', 'recordId');
          db.createObjectStore('meta', { keyPath: 'key' });
        };
        request.onsuccess = function () {
          var db = request.result;
          // another tab (a newer deploy) wants to upgrade: let it, reopen on next use
          db.onversionchange = function () { db.close(); opening = null; };
          resolve(db);
        };
        request.onerror = function () { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  // Run body(transaction, setResult) in one transaction; resolve with the result once the
  // transaction has committed, so "saved" always means "on disk".
  function tx(stores, mode, body) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(stores, mode);
        var result;
        t.oncomplete = function () { resolve(result); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error || new Error('transaction aborted')); };
        body(t, function (value) { result = value; });
      });
    });
  }

  function now() { return new Date().toISOString(); }

  // Tell every listener: those in other tabs and the service worker, and those in this one
  // (a BroadcastChannel reaches every other channel object of its name, also in this
  // context; without BroadcastChannel only this context hears it).
  function changed() {
    if (channel) channel.postMessage('changed');
    else listeners.forEach(function (fn) { setTimeout(fn, 0); });
  }

  function written(value) { changed(); return value; }

  var api = {
    // All records, oldest first (the order they are sent in).
    all: function () {
      return tx(['records'], 'readonly', function (t, done) {
        t.objectStore('records').getAll().onsuccess = function (e) {
          done(e.target.result.sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : 1; }));
        };
      });
    },

    get: function (id) {
      return tx(['records'], 'readonly', function (t, done) {
        t.objectStore('records').get(id).onsuccess = function (e) { done(e.target.result || null); };
      });
    },

    // Save a new or corrected record with its photos in one transaction; photos of the
    // record left out of `photos` (removed while editing) are deleted. Refused (an Error
    // named "Locked") once a sync has taken the record: what is being sent, or is on the
    // server, is not changed behind the server's back.
    save: function (record, photos) {
      var refused = false;
      return tx(['records', 'photos'], 'readwrite', function (t, done) {
        var records = t.objectStore('records');
        var photoStore = t.objectStore('photos');
        records.get(record.id).onsuccess = function (e) {
          var current = e.target.result;
          if (current && (current.delivered || current.tried || current.state === 'sending' || current.state === 'sent')) {
            refused = true;
            t.abort();
            return;
          }
          var keep = {};
          record.updatedAt = now();
          record.createdAt = (current && current.createdAt) || record.createdAt || record.updatedAt;
          records.put(record);
          (photos || []).forEach(function (p) {
            keep[p.id] = true;
            p.recordId = record.id;
            p.state = p.state || 'queued';
            photoStore.put(p);
          });
          photoStore.index('record').getAll(record.id).onsuccess = function (e2) {
            e2.target.result.forEach(function (p) { if (!keep[p.id]) photoStore.delete(p.id); });
          };
          done(record);
        };
      }).catch(function (err) {
        if (!refused) throw err;
        var locked = new Error('record is being sent or was sent');
        locked.name = 'Locked';
        throw locked;
      }).then(written);
    },

    // Read-modify-write in one transaction. `change` is an object to merge, or a function
    // returning the new record (or throwing to refuse, e.g. an edit of a record being sent).
    update: function (id, change) {
      var refusal = null;
      return tx(['records'], 'readwrite', function (t, done) {
        var store = t.objectStore('records');
        store.get(id).onsuccess = function (e) {
          var record = e.target.result;
          if (!record) { done(null); return; }
          try {
            record = typeof change === 'function' ? change(record) : Object.assign(record, change);
          } catch (err) { refusal = err; t.abort(); return; }
          record.updatedAt = now();
          store.put(record);
          done(record);
        };
      }).catch(function (err) { throw refusal || err; }).then(written);
    },

    // A correction (补充更正) to a record the server may hold already: kept with the record and
    // sent after it, as a note on the case. The record goes back in line if it was sent.
    addCorrection: function (id, correction) {
      return exported.update(id, function (record) {
        record.corrections = (record.corrections || []).concat([Object.assign({
          createdAt: now(), state: 'queued', error: null
        }, correction)]);
        if (record.state === 'sent' || record.state === 'failed') record.state = 'queued';
        if (record.state === 'rejected' && record.delivered) { record.state = 'queued'; record.error = null; }
        return record;
      });
    },

    remove: function (id) {
      return tx(['records', 'photos'], 'readwrite', function (t) {
        t.objectStore('records').delete(id);
        var photos = t.objectStore('photos');
        photos.index('record').getAllKeys(id).onsuccess = function (e) {
          e.target.result.forEach(function (key) { photos.delete(key); });
        };
      }).then(written);
    },

    photosOf: function (recordId) {
      return tx(['photos'], 'readonly', function (t, done) {
        t.objectStore('photos').index('record').getAll(recordId).onsuccess = function (e) {
          done(e.target.result);
        };
      });
    },

    updatePhoto: function (id, change) {
      return tx(['photos'], 'readwrite', function (t, done) {
        var store = t.objectStore('photos');
        store.get(id).onsuccess = function (e) {
          if (!e.target.result) { done(null); return; }
          var photo = Object.assign(e.target.result, change);
          store.put(photo);
          done(photo);
        };
      }).then(written);
    },

    // Put a record back as it was (its copy in localStorage, after IndexedDB was cleared).
    restore: function (record) {
      return tx(['records'], 'readwrite', function (t) { t.objectStore('records').put(record); });
    },

    removePhoto: function (id) {
      return tx(['photos'], 'readwrite', function (t) { t.objectStore('photos').delete(id); }).then(written);
    },

    getMeta: function (key) {
      return tx(['meta'], 'readonly', function (t, done) {
        t.objectStore('meta').get(key).onsuccess = function (e) {
          done(e.target.result ? e.target.result.value : null);
        };
      });
    },

    setMeta: function (key, value) {
      return tx(['meta'], 'readwrite', function (t) {
        t.objectStore('meta').put({ key: key, value: value });
      }).then(written);
    },

    // Call fn whenever the outbox changes, here or in another tab or the service worker.
    onChange: function (fn) {
      if (channel) new BroadcastChannel(CHANNEL).onmessage = function () { fn(); };
      else listeners.push(fn);
    }
  };

  // --- webview mode: the records in localStorage too ----------------------------------------

  var LS_RECORDS = 'pingli-outbox-records';
  var LS_META = 'pingli-outbox-meta';

  function hasLocalStorage() {
    try { return typeof localStorage !== 'undefined' && localStorage !== null; } catch (e) { return false; }
  }

  function lsGet(key) {
    try { return JSON.parse(localStorage.getItem(key) || '{}') || {}; } catch (e) { return {}; }
  }

  function lsSet(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) { return false; }
  }

  function later(a, b) { return (a.updatedAt || '') > (b.updatedAt || ''); }

  function locked() {
    var err = new Error('record is being sent or was sent');
    err.name = 'Locked';
    return err;
  }

  function mirrored(raw) {
    var photos = {}; // without IndexedDB: this page's photos, by id

    function keep(record) {
      if (record) {
        var all = lsGet(LS_RECORDS);
        all[record.id] = record;
        lsSet(LS_RECORDS, all);
      }
      return record;
    }

    function settled(promise) {
      return promise.then(function (value) { return { ok: true, value: value }; }, function () { return { ok: false }; });
    }

    // Both copies merged by id, the later version of each winning; what one copy lacks is
    // written back into it. Resolves with {records (oldest first), idb: IndexedDB works}.
    async function reconcile() {
      var fromIdb = await settled(raw.all());
      var stored = lsGet(LS_RECORDS);
      var byId = {};
      var lsChanged = false;
      (fromIdb.ok ? fromIdb.value : []).forEach(function (r) { byId[r.id] = r; });
      var ids = Object.keys(stored);
      for (var i = 0; i < ids.length; i++) {
        var r = stored[ids[i]];
        if (!r || !r.id) continue;
        if (!byId[r.id] || later(r, byId[r.id])) {
          byId[r.id] = r;
          if (fromIdb.ok) await raw.restore(r).catch(function () {});
        }
      }
      Object.keys(byId).forEach(function (id) {
        if (!stored[id] || later(byId[id], stored[id])) { stored[id] = byId[id]; lsChanged = true; }
      });
      if (lsChanged) lsSet(LS_RECORDS, stored);
      var records = Object.keys(byId).map(function (id) { return byId[id]; });
      records.sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : 1; });
      return { records: records, idb: fromIdb.ok };
    }

    // localStorage alone (no IndexedDB): the same rules as the IndexedDB versions above.
    var lsOnly = {
      save: function (record, pics) {
        var all = lsGet(LS_RECORDS);
        var current = all[record.id];
        if (current && (current.delivered || current.tried || current.state === 'sending' || current.state === 'sent')) throw locked();
        record.updatedAt = now();
        record.createdAt = (current && current.createdAt) || record.createdAt || record.updatedAt;
        all[record.id] = record;
        if (!lsSet(LS_RECORDS, all)) throw new Error('localStorage is full');
        Object.keys(photos).forEach(function (k) { if (photos[k].recordId === record.id) delete photos[k]; });
        (pics || []).forEach(function (p) { p.recordId = record.id; p.state = p.state || 'queued'; photos[p.id] = p; });
        return record;
      },
      update: function (id, change) {
        var all = lsGet(LS_RECORDS);
        var record = all[id];
        if (!record) return null;
        record = typeof change === 'function' ? change(record) : Object.assign(record, change);
        record.updatedAt = now();
        all[id] = record;
        lsSet(LS_RECORDS, all);
        return record;
      }
    };

    function either(idbOp, lsOp) {
      return reconcile().then(function (state) {
        if (state.idb) return idbOp().then(keep);
        return Promise.resolve().then(lsOp).then(written);
      });
    }

    var m = Object.assign({}, raw, {
      all: function () { return reconcile().then(function (state) { return state.records; }); },
      get: function (id) {
        return m.all().then(function (records) {
          return records.filter(function (r) { return r.id === id; })[0] || null;
        });
      },
      save: function (record, pics) {
        return either(function () { return raw.save(record, pics); }, function () { return lsOnly.save(record, pics); });
      },
      update: function (id, change) {
        return either(function () { return raw.update(id, change); }, function () { return lsOnly.update(id, change); });
      },
      remove: function (id) {
        var all = lsGet(LS_RECORDS);
        delete all[id];
        lsSet(LS_RECORDS, all);
        Object.keys(photos).forEach(function (k) { if (photos[k].recordId === id) delete photos[k]; });
        return settled(raw.remove(id)).then(function () { changed(); });
      },
      photosOf: function (recordId) {
        return raw.photosOf(recordId).catch(function () {
          return Object.keys(photos).map(function (k) { return photos[k]; })
            .filter(function (p) { return p.recordId === recordId; });
        });
      },
      updatePhoto: function (id, change) {
        return raw.updatePhoto(id, change).catch(function () {
          if (!photos[id]) return null;
          Object.assign(photos[id], change);
          return written(photos[id]);
        });
      },
      removePhoto: function (id) {
        return raw.removePhoto(id).catch(function () { delete photos[id]; changed(); });
      },
      getMeta: function (key) {
        return raw.getMeta(key).catch(function () { return null; }).then(function (value) {
          if (value !== null && value !== undefined) return value;
          var meta = lsGet(LS_META);
          return key in meta ? meta[key] : null;
        });
      },
      setMeta: function (key, value) {
        var meta = lsGet(LS_META);
        meta[key] = value;
        lsSet(LS_META, meta);
        return raw.setMeta(key, value).catch(function () { changed(); });
      }
    });
    return m;
  }

  var exported = self.PingliWebview && self.PingliWebview.active && hasLocalStorage() ? mirrored(api) : api;
  exported.mirrored = exported !== api;
  self.PingliOutbox = exported;
})(self);
