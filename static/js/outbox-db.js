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
      return api.update(id, function (record) {
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

  self.PingliOutbox = api;
})(self);
