/* This phone as the server knows it: its own id, the entries it says it holds, and the
 * notice when entries vanished from it before reaching the server.
 *
 * - The device id (a UUID) is kept in localStorage, in the outbox database and in a cookie;
 *   whichever survives restores the others.
 * - Whenever the page is online and what the outbox holds has changed since the last report
 *   (or the record of that report is gone, as after a wipe), the phone reports the ids of the
 *   entries it holds: PUT /api/v1/devices/<id>/outbox. The server answers with the entries
 *   this phone reported before that are no longer on it and never arrived: lost when the
 *   browser cleared its storage. The worker is told what, and when it was saved, until they
 *   tap "noted".
 * - Persistent storage is asked for once, after the first sign-in; the answer is remembered.
 * Page-only (the service worker sends, it does not report).
 */
(function () {
  'use strict';

  var Pingli = window.Pingli = window.Pingli || {};
  var outbox = window.PingliOutbox;
  var user = document.body.getAttribute('data-user') || '';
  var COOKIE = 'pingli_device';
  var LS_DEVICE = 'pingli-device';
  var LS_PERSIST = 'pingli-persist';
  var reporting = null;

  function lsGet(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }
  function lsSet(key, value) { try { localStorage.setItem(key, value); } catch (e) { /* full or refused */ } }
  function meta(key) { return outbox ? outbox.getMeta(key).catch(function () { return null; }) : Promise.resolve(null); }
  function setMeta(key, value) { return outbox ? outbox.setMeta(key, value).catch(function () {}) : Promise.resolve(); }

  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  function fromCookie() {
    var m = new RegExp('(?:^|;\\s*)' + COOKIE + '=([^;]+)').exec(document.cookie);
    return m && UUID.test(m[1]) ? m[1] : null;
  }

  // The phone's id, from whichever place kept it, written back into the others.
  Pingli.deviceId = function () {
    return meta('device').then(function (kept) {
      var cookie = fromCookie();
      var ls = lsGet(LS_DEVICE);
      var id = [ls, kept, cookie].filter(function (v) { return v && UUID.test(v); })[0] ||
        (window.PingliSync ? window.PingliSync.newId() : crypto.randomUUID());
      if (ls !== id) lsSet(LS_DEVICE, id);
      if (cookie !== id) {
        document.cookie = COOKIE + '=' + id + '; path=/; max-age=34560000; samesite=strict' +
          (location.protocol === 'https:' ? '; secure' : '');
      }
      return (kept === id ? Promise.resolve() : setMeta('device', id)).then(function () { return id; });
    });
  };

  // --- the ledger: entries saved since the last report, in a cookie ------------------------
  // A cookie survives what clears IndexedDB and localStorage (Chrome's eviction of a site's
  // storage). An entry saved with no network and cleared before the phone was ever online
  // again is known only here: the next report tells the server of it first, so the server
  // can say whether it arrived. Ids, kinds and times only, never a title: the cookie goes
  // with every request. "d<uuid>.<saved, seconds in base 36>" joined by "~", newest 30.
  var LEDGER = 'pingli_unreported';
  var MAX_LEDGER = 30;
  var SECURE = location.protocol === 'https:' ? '; secure' : '';

  function readLedger() {
    var m = new RegExp('(?:^|;\\s*)' + LEDGER + '=([^;]*)').exec(document.cookie);
    if (!m) return [];
    return m[1].split('~').map(function (part) {
      var x = /^([dc])([0-9a-f-]{36})\.([0-9a-z]+)$/.exec(part);
      return x ? { id: x[2], kind: x[1] === 'c' ? 'checkin' : 'dispute', saved_at: new Date(parseInt(x[3], 36) * 1000).toISOString() } : null;
    }).filter(Boolean);
  }

  function writeLedger(entries) {
    var seen = {};
    var value = entries.filter(function (e) { return !seen[e.id] && (seen[e.id] = true); }).slice(-MAX_LEDGER)
      .map(function (e) {
        return (e.kind === 'checkin' ? 'c' : 'd') + e.id + '.' + Math.floor((Date.parse(e.saved_at) || Date.now()) / 1000).toString(36);
      }).join('~');
    document.cookie = LEDGER + '=' + value + '; path=/; max-age=' + (value ? 34560000 : 0) + '; samesite=strict' + SECURE;
  }

  function forgetInLedger(ids) {
    var ledger = readLedger();
    var left = ledger.filter(function (e) { return ids.indexOf(e.id) < 0; });
    if (left.length !== ledger.length) writeLedger(left);
  }

  // The worker's new entries the server has not been told of go into the ledger at once.
  async function noteUnreported() {
    if (!outbox || !user) return;
    var device = await Pingli.deviceId();
    var known = {};
    String((await meta('reported:' + user + ':' + device)) || '').split(',').forEach(function (id) { known[id] = true; });
    var ledger = readLedger();
    ledger.forEach(function (e) { known[e.id] = true; });
    var added = (await outbox.all()).filter(function (r) {
      return r.state !== 'sent' && !r.delivered && (!r.owner || r.owner === user) && !known[r.id];
    }).map(function (r) { return { id: r.id, kind: r.kind, saved_at: r.createdAt }; });
    if (added.length) writeLedger(readLedger().concat(added));
  }

  function list(key) { return meta(key).then(function (v) { return Array.isArray(v) ? v : []; }); }

  // The worker discarded an entry: not lost. Told to the server with the next report.
  Pingli.noteDiscarded = function (id) {
    forgetInLedger([id]);
    return list('discarded').then(function (ids) { return setMeta('discarded', ids.concat([id])); });
  };

  function csrfToken() {
    return fetch('/api/v1/session', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error('session ' + r.status)); })
      .then(function (body) { return body.csrf_token || ''; });
  }

  async function report(force) {
    if (!outbox || !user || !navigator.onLine) return null;
    var device = await Pingli.deviceId();
    var records = await outbox.all();
    var entries = records.filter(function (r) {
      return r.state !== 'sent' && !r.delivered && (!r.owner || r.owner === user);
    }).map(function (r) {
      return { id: r.id, kind: r.kind, label: String(r.label || '').slice(0, 120), saved_at: r.createdAt };
    });
    var discarded = await list('discarded');
    var acknowledged = await list('acknowledged');
    var key = 'reported:' + user + ':' + device;
    var signature = entries.map(function (e) { return e.id; }).sort().join(',');
    var holding = {};
    records.forEach(function (r) { holding[r.id] = true; });
    var ledger = readLedger();
    // in the ledger, gone from the outbox: cleared before the server ever heard of them
    var vanished = ledger.filter(function (e) { return !holding[e.id]; });
    if (!force && !vanished.length && !discarded.length && !acknowledged.length && (await meta(key)) === signature) {
      // told already; an entry the ledger took while that report was on its way goes now
      forgetInLedger(entries.map(function (e) { return e.id; }));
      return null;
    }
    var token = await csrfToken();
    var put = function (body) {
      return fetch('/api/v1/devices/' + device + '/outbox', {
        method: 'PUT',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrftoken': token },
        body: JSON.stringify(body)
      }).then(function (r) { return r.ok ? r.json() : Promise.reject(new Error('outbox report: ' + r.status)); });
    };
    // first what the phone held, the vanished entries included; then what it holds now
    if (vanished.length) {
      await put({ entries: entries.concat(vanished.map(function (e) { return Object.assign({ label: '' }, e); })) });
    }
    var answer = await put({ entries: entries, discarded: discarded, acknowledged: acknowledged });
    // the server knows these now (or they arrived); another worker's stay for their report
    var waitingForOthers = {};
    records.forEach(function (r) {
      if (r.state !== 'sent' && !r.delivered && r.owner && r.owner !== user) waitingForOthers[r.id] = true;
    });
    // the ledger as read before and what was sent: an entry saved meanwhile may be in it now
    var told = ledger.concat(entries).map(function (e) { return e.id; });
    forgetInLedger(told.filter(function (id) { return !waitingForOthers[id]; }));
    // what was told is done with; anything added meanwhile stays for the next report
    var left = function (now, sent) { return now.filter(function (id) { return sent.indexOf(id) < 0; }); };
    var stillDiscarded = left(await list('discarded'), discarded);
    var stillAcked = left(await list('acknowledged'), acknowledged);
    if (discarded.length) await setMeta('discarded', stillDiscarded);
    if (acknowledged.length) await setMeta('acknowledged', stillAcked);
    await setMeta(key, signature);
    // noted by the worker while this report was on its way: not shown again
    await setMeta('lost:' + user, (answer.lost || []).filter(function (e) { return stillAcked.indexOf(e.id) < 0; }));
    showLost();
    return answer;
  }

  // Report when due; never fails (no network, signed out: the next chance reports).
  // One report at a time; a forced one (news to tell) waits for the one on its way.
  Pingli.reportOutbox = function (force) {
    if (reporting && !force) return reporting;
    var previous = reporting || Promise.resolve();
    var mine = previous.then(function () { return report(force); })
      .catch(function (err) { console.warn('outbox report not sent', err); return null; });
    reporting = mine;
    mine.finally(function () { if (reporting === mine) reporting = null; });
    return mine;
  };

  function when(iso) {
    var d = new Date(iso);
    return isNaN(d) ? '' : d.toLocaleString(document.documentElement.lang || undefined,
      { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }

  // The notice under the menu, on every page, until the worker has noted it.
  function showLost() {
    if (!user) return Promise.resolve();
    return list('lost:' + user).then(function (lost) {
      var box = document.getElementById('outbox-lost');
      if (!lost.length) { if (box) box.remove(); return; }
      var t = Pingli.t;
      if (!box) {
        box = document.createElement('div');
        box.id = 'outbox-lost';
        box.className = 'outbox-bar outbox-lost';
        box.setAttribute('role', 'alert');
        box.setAttribute('data-outbox-lost', '');
        var header = document.querySelector('.topbar');
        header.parentNode.insertBefore(box, header.nextSibling);
      }
      box.textContent = '';
      var p = document.createElement('p');
      p.textContent = t('lost', { num: lost.length });
      box.appendChild(p);
      var ul = document.createElement('ul');
      lost.forEach(function (entry) {
        var li = document.createElement('li');
        li.setAttribute('data-lost-entry', entry.id);
        var key = entry.kind === 'checkin' ? 'lost_checkin' : entry.label ? 'lost_dispute' : 'lost_dispute_unnamed';
        li.textContent = t(key, { label: entry.label || '', when: when(entry.saved_at) });
        ul.appendChild(li);
      });
      box.appendChild(ul);
      var row = document.createElement('p');
      var again = document.createElement('a');
      again.className = 'button primary';
      again.href = lost.some(function (e) { return e.kind !== 'checkin'; }) ? '/disputes/new' : '/checkins';
      again.textContent = t('lost_log_again');
      row.appendChild(again);
      row.appendChild(document.createTextNode(' '));
      var noted = document.createElement('button');
      noted.type = 'button';
      noted.className = 'button';
      noted.setAttribute('data-lost-noted', '');
      noted.textContent = t('lost_noted');
      noted.addEventListener('click', function () {
        var ids = lost.map(function (e) { return e.id; });
        list('acknowledged').then(function (acked) { return setMeta('acknowledged', acked.concat(ids)); })
          .then(function () { return setMeta('lost:' + user, []); })
          .then(function () { box.remove(); return Pingli.reportOutbox(true); });
      });
      row.appendChild(noted);
      box.appendChild(row);
    });
  }

  // Ask once, after the first sign-in, that the browser keep this site's storage under
  // pressure; remember the answer (localStorage and the outbox database), never nag.
  function remembered() {
    var raw = lsGet(LS_PERSIST);
    if (raw) { try { return Promise.resolve(JSON.parse(raw)); } catch (e) { /* asked again below */ } }
    return meta('persist');
  }

  Pingli.askPersistOnce = function () {
    if (!user || !navigator.storage || !navigator.storage.persist) return Promise.resolve(null);
    return remembered().then(function (answer) {
      if (answer) return answer;
      return navigator.storage.persist().then(function (granted) {
        var asked = { granted: !!granted, at: new Date().toISOString() };
        lsSet(LS_PERSIST, JSON.stringify(asked));
        return setMeta('persist', asked).then(function () { return asked; });
      });
    });
  };

  // Whether storage is persistent, asking only if it was never asked (the outbox page shows it).
  Pingli.persistStorage = function () {
    if (!navigator.storage || !navigator.storage.persisted) return Promise.resolve(false);
    return navigator.storage.persisted().then(function (done) {
      return done || Pingli.askPersistOnce().then(function (a) { return !!(a && a.granted); });
    });
  };

  // after every deferred script, app.js (Pingli.t) included
  document.addEventListener('DOMContentLoaded', function () {
    if (!user) return;
    Pingli.askPersistOnce().catch(function () {});
    if (!outbox) return;
    showLost();
    noteUnreported().catch(function () {});
    outbox.onChange(function () { noteUnreported().catch(function () {}); });
  });
})();
