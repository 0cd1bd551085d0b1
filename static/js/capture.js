/* A capture form (log a case, patrol check-in) that works with no network.
 *
 * Without JavaScript the form simply posts to the server. With it, every submission goes
 * to the outbox on the phone first (the record keeps the UUID the server will keep), then
 * the outbox is sent at once if there is a network. So a case is never lost between the
 * tap and the server, whatever the signal does. `?outbox=<id>` opens an outbox record in
 * the form to correct it before it is sent.
 */
(function () {
  'use strict';

  var form = document.querySelector('form[data-outbox]');
  var outbox = window.PingliOutbox;
  var Pingli = window.Pingli;
  if (!form || !outbox || !Pingli) return;

  var t = Pingli.t;
  var kind = form.getAttribute('data-outbox');
  var endpoint = form.getAttribute('data-endpoint');
  var owner = form.getAttribute('data-owner');
  var statusBox = form.querySelector('[data-capture-status]');
  var submitButton = form.querySelector('[type=submit]');
  var photoBox = form.querySelector('[data-photos]');
  var photos = photoBox && window.PingliPhotos ? window.PingliPhotos.picker(photoBox, t, function (m) { say(m, 'error'); }) : null;
  var editing = null; // the outbox record this form is correcting
  // The JSON API wants numbers where the form has text.
  var NUMBERS = { people_involved: 1, grid_id: 1, lon: 1, lat: 1, gps_accuracy_m: 1 };

  function field(name) { return form.elements.namedItem(name); }

  function say(text, tone) {
    statusBox.hidden = false;
    statusBox.className = 'notice capture-status' + (tone ? ' notice-' + tone : '');
    statusBox.textContent = text;
  }

  // The hidden id the server rendered may come from the service worker's cache, where every
  // copy of the page has the same one: each new record gets a UUID minted here.
  function mintId() { field('id').value = window.PingliPhotos ? window.PingliPhotos.newId() : crypto.randomUUID(); }

  function partyRows() { return Array.prototype.slice.call(form.querySelectorAll('.party')); }

  function serialize() {
    var payload = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      var name = el.name;
      if (!name || el.disabled || el.type === 'file' || name === 'id' || name === '_csrf_token' || name.indexOf('party_') === 0) return;
      if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) return;
      var value = el.value.trim();
      if (value === '') return;
      // a number that does not parse is sent as typed, so the server names the field
      payload[name] = NUMBERS[name] && !isNaN(Number(value)) ? Number(value) : value;
    });
    var rows = partyRows();
    if (rows.length) {
      payload.parties = [];
      rows.forEach(function (row) {
        var party = {};
        row.querySelectorAll('[name^="party_"]').forEach(function (el) {
          if (el.value.trim()) party[el.name.slice(6)] = el.value.trim();
        });
        if (party.name) payload.parties.push(party);
      });
    }
    return payload;
  }

  function fill(payload) {
    Object.keys(payload).forEach(function (name) {
      var el = field(name);
      if (el && el.type !== 'file' && typeof el.value === 'string' && name !== 'parties') el.value = payload[name];
    });
    var free = partyRows();
    (payload.parties || []).forEach(function (party) {
      var row = free.find(function (r) { return r.querySelector('[name=party_role]').value === (party.role || 'applicant'); }) || free[0];
      if (!row) return;
      free.splice(free.indexOf(row), 1);
      ['name', 'phone', 'id_number', 'address'].forEach(function (key) {
        var el = row.querySelector('[name=party_' + key + ']');
        if (el) el.value = party[key] || '';
      });
    });
  }

  // The server's field names: "title", "parties[1].phone". Party i is the i-th row with a name.
  function inputFor(name) {
    var m = /^parties\[(\d+)\]\.(\w+)$/.exec(name);
    if (!m) return field(name);
    var rows = partyRows().filter(function (r) { return r.querySelector('[name=party_name]').value.trim(); });
    return rows[+m[1]] ? rows[+m[1]].querySelector('[name=party_' + m[2] + ']') : null;
  }

  function clearFieldErrors() {
    form.querySelectorAll('[data-client-error]').forEach(function (el) { el.remove(); });
    form.querySelectorAll('[aria-invalid]').forEach(function (el) { el.removeAttribute('aria-invalid'); });
  }

  function showFieldErrors(fields) {
    var unplaced = [];
    var shown = {};
    fields.forEach(function (f) {
      var el = inputFor(f.field);
      // lon and lat refused for one reason (the point is not in the grid): say it once
      if (shown[f.message] && el) { el.setAttribute('aria-invalid', 'true'); return; }
      shown[f.message] = true;
      if (!el || !el.parentNode) { unplaced.push(f.message); return; }
      var note = document.createElement('span');
      note.className = 'field-error';
      note.setAttribute('data-client-error', '');
      note.textContent = f.message;
      el.setAttribute('aria-invalid', 'true');
      el.parentNode.insertBefore(note, el.nextSibling);
    });
    return unplaced;
  }

  function label(payload) {
    if (kind === 'dispute') return payload.title || '';
    var select = form.querySelector('[data-label-source]');
    return select && select.value ? select.options[select.selectedIndex].text : '';
  }

  function startOver(message) {
    if (editing) { location.assign('/outbox'); return; }
    form.reset();
    mintId();
    if (photos) photos.clear();
    say(message);
    statusBox.scrollIntoView({ block: 'nearest' });
  }

  async function afterSave(id) {
    if (!navigator.onLine) { startOver(t('saved_offline')); return; }
    say(t('saved_sending'));
    await Pingli.syncNow();
    var record = await outbox.get(id);
    if (record && record.state === 'sent') { location.assign(record.server.url); return; }
    if (record && record.delivered) { startOver(t('sent_photos_pending')); return; }
    if (record && record.state === 'rejected') {
      editing = record;
      var unplaced = showFieldErrors(record.error.fields || []);
      if (!record.error.fields || !record.error.fields.length) unplaced.push(record.error.message);
      say([t('rejected')].concat(unplaced).join(' '), 'error');
      offerLocatedGrid(record.error.located_grid);
      return;
    }
    startOver(t('saved_offline'));
  }

  // The point lies in another grid of the worker's area: one tap takes that grid and saves.
  function offerLocatedGrid(grid) {
    var select = field('grid_id');
    if (!grid || !select) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'button primary wide';
    button.setAttribute('data-client-error', '');
    button.textContent = t('use_located_grid') + ' · ' + grid.name;
    button.addEventListener('click', function () {
      select.value = String(grid.id);
      form.requestSubmit();
    });
    statusBox.parentNode.insertBefore(button, statusBox.nextSibling);
  }

  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    // the server-rendered "use the grid of this point" button (after a post without JavaScript)
    if (event.submitter && event.submitter.name === 'located_grid' && field('grid_id')) {
      field('grid_id').value = event.submitter.value;
    }
    clearFieldErrors();
    submitButton.disabled = true;
    var payload = serialize();
    // when the worker was there, not when the network let it through
    var savedAt = (editing && editing.payload && (editing.payload.checked_at || editing.payload.captured_at)) || new Date().toISOString();
    payload[kind === 'checkin' ? 'checked_at' : 'captured_at'] = savedAt;
    var record = Object.assign({}, editing || {
      id: field('id').value, kind: kind, endpoint: endpoint, owner: owner, attempts: 0, delivered: false
    }, { payload: payload, label: label(payload), state: 'queued', error: null });
    try {
      await outbox.save(record, photos ? photos.collect() : []);
    } catch (err) {
      if (err && err.name !== 'Locked' && navigator.onLine && !editing) {
        // No storage on this phone (full, or a private window): post the form as it would
        // without JavaScript rather than lose the case. (Photos are added on the case page.)
        HTMLFormElement.prototype.submit.call(form);
        return;
      }
      say(err && err.name === 'Locked' ? t('edit_locked') : t('storage_failed'), 'error');
      submitButton.disabled = false;
      return;
    }
    Pingli.persistStorage();
    Pingli.requestBackgroundSync();
    try {
      await afterSave(record.id);
    } finally {
      submitButton.disabled = false;
    }
  });

  // GPS: a fix asked for as the form opens (when the phone allows it) and on request. Its
  // accuracy is shown and kept; a fix worse than 100 m is filled in with a warning, one worse
  // than 1,000 m is not filled in at all. Typing a point by hand (a manual pin) drops it.
  var WEAK_FIX_M = 100;
  var USELESS_FIX_M = 1000;
  var gps = form.querySelector('[data-gps]');
  var locate = null;
  if (gps && navigator.geolocation) {
    var status = gps.querySelector('[data-gps-status]');
    var accuracy = field('gps_accuracy_m');
    var sayGps = function (text, quality) {
      status.textContent = text;
      status.className = quality === 'good' ? 'muted' : 'gps-warning';
      status.setAttribute('data-gps-quality', quality);
    };
    locate = function (quiet) {
      if (!quiet) sayGps(t('locating'), 'good');
      navigator.geolocation.getCurrentPosition(function (pos) {
        var metres = Math.round(pos.coords.accuracy);
        // asked as the form opened: a point typed meanwhile is the worker's, and stays
        if (quiet && (field('lon').value || field('lat').value)) return;
        if (metres > USELESS_FIX_M) {
          sayGps(t('fix_useless', { m: metres }), 'useless');
          return;
        }
        field('lon').value = pos.coords.longitude.toFixed(6);
        field('lat').value = pos.coords.latitude.toFixed(6);
        accuracy.value = metres;
        if (metres > WEAK_FIX_M) sayGps(t('fix_weak', { m: metres }), 'weak');
        else sayGps(t('located', { m: metres }), 'good');
        form.dispatchEvent(new CustomEvent('pingli:point', { detail: { source: 'gps' } })); // capture-map.js
      }, function () {
        if (!quiet) sayGps(t('no_fix'), 'none');
      }, { enableHighAccuracy: true, timeout: 30000, maximumAge: 0 }); // a fresh fix: where the worker is now
    };
    gps.querySelector('[data-gps-tools]').hidden = false;
    gps.querySelector('[data-gps-locate]').addEventListener('click', function () { locate(false); });
    ['lon', 'lat'].forEach(function (name) {
      field(name).addEventListener('input', function () {
        accuracy.value = '';
        status.textContent = '';
        status.removeAttribute('data-gps-quality');
      });
    });
  }

  // As the form opens with no point yet: ask for a fix if the phone's permission allows it
  // without a question (granted), so the worker need not tap 使用我的位置.
  function locateOnOpen() {
    if (!locate || field('lon').value || field('lat').value) return;
    if (!navigator.permissions || !navigator.permissions.query) return;
    navigator.permissions.query({ name: 'geolocation' }).then(function (p) {
      if (p.state === 'granted' && !field('lon').value && !field('lat').value) locate(true);
    }).catch(function () {});
  }

  var editId = new URLSearchParams(location.search).get('outbox');
  if (!editId) { mintId(); locateOnOpen(); return; }
  outbox.get(editId).then(async function (record) {
    if (!record) { mintId(); say(t('edit_missing'), 'error'); return; }
    if (record.delivered || record.tried || record.state === 'sending' || record.state === 'sent') {
      mintId();
      say(t('edit_locked'), 'error');
      return;
    }
    editing = record;
    field('id').value = record.id;
    fill(record.payload);
    form.dispatchEvent(new CustomEvent('pingli:point', { detail: {} }));
    if (photos) photos.load(await outbox.photosOf(record.id));
    if (record.error && record.error.fields) showFieldErrors(record.error.fields);
    say(t('editing'));
    if (record.error) offerLocatedGrid(record.error.located_grid);
  });
})();
