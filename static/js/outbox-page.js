/* The outbox page: what waits on this phone, what is being sent, what failed and why.
 *
 * The worker can correct or discard a record before it is sent, and carry the unsent
 * outbox to another phone as a file (export here, import there): the escape hatch for a
 * phone that is broken, full, or about to be wiped. The file holds the photos too.
 */
(function () {
  'use strict';

  var outbox = window.PingliOutbox;
  var Pingli = window.Pingli;
  if (!outbox || !Pingli) return;

  var t = Pingli.t;
  var user = document.body.getAttribute('data-user') || '';
  var lang = document.documentElement.lang || undefined;
  var list = document.querySelector('[data-outbox-list]');
  var sentList = document.querySelector('[data-outbox-sent]');
  var notice = document.querySelector('[data-outbox-notice]');
  var FORMAT = 'pingli-outbox';
  var EDIT_URL = { dispute: '/disputes/new', checkin: '/checkins' };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function tell(text, tone) {
    notice.hidden = false;
    notice.className = 'notice' + (tone ? ' notice-' + tone : '');
    notice.textContent = text;
  }

  function stateText(record, signedOut) {
    if (record.owner && user && record.owner !== user && record.state !== 'sent') {
      return t('state_other_user', { user: record.owner });
    }
    var text = t('state_' + record.state);
    var error = record.error;
    if (signedOut && (record.state === 'queued' || record.state === 'failed')) return text + ' · ' + t('error_auth');
    if (!error || record.state === 'sent' || record.state === 'sending') return text;
    if (error.code === 'network') return text + ' · ' + t('error_network');
    if (error.code === 'auth') return text + ' · ' + t('error_auth');
    if (error.code === 'server') return text + ' · ' + t('error_server', { status: error.status });
    if (error.code === 'photo') return text + ' · ' + t('photo_refused', { message: error.message });
    return text + (error.message && !(error.fields || []).length ? ' · ' + error.message : '');
  }

  function fieldErrors(record) {
    var ul = el('ul', 'field-errors');
    // fields refused for one reason (lon and lat: the point is not in the grid) share a line
    var lines = [];
    ((record.error && record.error.fields) || []).forEach(function (f) {
      var key = f.field.replace(/\[\d+\].*$/, '');
      var line = lines.find(function (l) { return l.message === f.message; });
      if (!line) lines.push(line = { names: [], message: f.message });
      if (t(key) !== key && line.names.indexOf(t(key)) < 0) line.names.push(t(key));
    });
    lines.forEach(function (l) {
      ul.appendChild(el('li', 'field-error', (l.names.length ? l.names.join(' / ') + ': ' : '') + l.message));
    });
    return ul;
  }

  function button(text, onClick, className) {
    var b = el('button', className || 'button', text);
    b.type = 'button';
    b.addEventListener('click', onClick);
    return b;
  }

  function discard(record) {
    var question = record.delivered ? t('discard_sent_confirm')
      : record.tried ? t('discard_tried_confirm') : t('discard_confirm');
    if (record.state !== 'sent' && !window.confirm(question)) return;
    // not lost, discarded: the server stops counting it as waiting on this phone
    var noted = !record.delivered && Pingli.noteDiscarded ? Pingli.noteDiscarded(record.id) : Promise.resolve();
    noted.then(function () { return outbox.remove(record.id); });
  }

  function correctionForm(li, record) {
    if (li.querySelector('[data-correction-form]')) return;
    var box = el('div', 'outbox-correction-form');
    box.setAttribute('data-correction-form', '');
    var id = 'correction-' + record.id;
    var lab = el('label', '', t('correction_label'));
    lab.htmlFor = id;
    var area = el('textarea');
    area.id = id;
    area.name = 'correction';
    area.rows = 3;
    area.maxLength = 2000;
    area.value = drafts[record.id] || '';
    drafts[record.id] = area.value;
    area.addEventListener('input', function () { drafts[record.id] = area.value; });
    box.appendChild(lab);
    box.appendChild(area);
    var row = el('p', 'outbox-item-actions');
    row.appendChild(button(t('correction_save'), function () {
      var note = area.value.trim();
      if (!note) { area.focus(); return; }
      delete drafts[record.id];
      outbox.addCorrection(record.id, { id: window.PingliSync.newId(), note: note }).then(function () { Pingli.syncNow(); });
    }, 'button primary'));
    row.appendChild(button(t('cancel'), function () { delete drafts[record.id]; box.remove(); }, 'button linkish'));
    box.appendChild(row);
    li.appendChild(box);
  }

  var drafts = {}; // corrections being typed, kept across re-renders of the list

  function item(record, photos, signedOut) {
    var li = el('li', 'outbox-item state-' + record.state);
    li.setAttribute('data-record', record.id);
    var head = el('p', 'outbox-head');
    head.appendChild(el('span', 'badge', t('kind_' + record.kind)));
    head.appendChild(el('strong', 'outbox-label', ' ' + (record.label || '')));
    li.appendChild(head);
    li.appendChild(el('p', 'muted small', t('captured', { when: new Date(record.createdAt).toLocaleString(lang) })));
    li.appendChild(el('p', 'outbox-state', stateText(record, signedOut)));
    if (record.state === 'rejected') li.appendChild(fieldErrors(record));
    if (photos.length) {
      var sent = photos.filter(function (p) { return p.state === 'sent'; }).length;
      li.appendChild(el('p', 'muted small', t('photos_pending', { sent: sent, total: photos.length })));
    }
    if (record.server && record.server.ref) {
      var p = el('p', 'small');
      var a = el('a', '', t('on_server', { ref: record.server.ref }));
      a.href = record.server.url;
      p.appendChild(a);
      li.appendChild(p);
    }
    (record.corrections || []).forEach(function (c) {
      var key = c.state === 'sent' ? 'correction_sent' : 'correction_queued';
      var line = el('p', 'small outbox-correction', t(key, { note: c.note }));
      line.setAttribute('data-correction', c.state);
      li.appendChild(line);
      if (c.state === 'rejected' && c.error) li.appendChild(el('p', 'small field-error', t('correction_refused', { message: c.error.message })));
    });
    var actions = el('p', 'outbox-item-actions');
    if (!record.delivered && !record.tried && record.state !== 'sending' && record.state !== 'sent') {
      var edit = el('a', 'button', t('edit'));
      edit.href = EDIT_URL[record.kind] + '?outbox=' + encodeURIComponent(record.id);
      actions.appendChild(edit);
    } else if (record.kind === 'dispute' && record.state !== 'sending') {
      // the server may hold it as it was sent: what the worker adds goes as a correction
      actions.appendChild(button(t('correct'), function () {
        correctionForm(li, record);
        li.querySelector('[data-correction-form] textarea').focus();
      }));
    }
    photos.filter(function (ph) { return ph.state === 'rejected'; }).forEach(function (ph) {
      actions.appendChild(button(t('remove_photo'), function () {
        outbox.removePhoto(ph.id).then(function () {
          return outbox.update(record.id, { state: 'queued', error: null });
        }).then(Pingli.syncNow);
      }));
    });
    if (record.state !== 'sending') actions.appendChild(button(t('discard'), function () { discard(record); }, 'button linkish'));
    li.appendChild(actions);
    if (drafts[record.id] !== undefined) correctionForm(li, record);
    return li;
  }

  async function render() {
    var records = await outbox.all();
    var signedOut = await outbox.getMeta('auth');
    var photos = await Promise.all(records.map(function (r) { return outbox.photosOf(r.id); }));
    var waiting = 0;
    list.textContent = '';
    sentList.textContent = '';
    records.forEach(function (record, i) {
      if (record.state === 'sent') { sentList.appendChild(item(record, photos[i])); return; }
      waiting++;
      list.appendChild(item(record, photos[i], signedOut));
    });
    if (!waiting) list.appendChild(el('li', 'muted empty', t('empty')));
    document.querySelector('[data-outbox-waiting]').textContent = waiting;
    document.querySelector('[data-outbox-sent-section]').hidden = !sentList.children.length;
  }

  function toDataUrl(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(blob);
    });
  }

  // data: URLs are decoded by hand: fetch(dataUrl) would need connect-src data: in the CSP.
  function fromDataUrl(url) {
    var comma = url.indexOf(',');
    var type = url.slice(5, url.indexOf(';'));
    var bytes = atob(url.slice(comma + 1));
    var buffer = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) buffer[i] = bytes.charCodeAt(i);
    return new Blob([buffer], { type: type });
  }

  async function exportFile() {
    var records = (await outbox.all()).filter(function (r) { return r.state !== 'sent'; });
    var out = [];
    for (var i = 0; i < records.length; i++) {
      var photos = await outbox.photosOf(records[i].id);
      var packed = [];
      for (var j = 0; j < photos.length; j++) {
        var p = photos[j];
        packed.push({ id: p.id, type: p.type, width: p.width, height: p.height, state: p.state, data: p.blob ? await toDataUrl(p.blob) : null });
      }
      out.push(Object.assign({}, records[i], { photos: packed }));
    }
    var file = JSON.stringify({ format: FORMAT, version: 1, exportedAt: new Date().toISOString(), records: out });
    var a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([file], { type: 'application/json' }));
    a.download = 'pingli-outbox-' + new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '') + '.json';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
    tell(t('exported', { num: out.length }));
  }

  async function importFile(file) {
    var data;
    try {
      data = JSON.parse(await file.text());
      if (!data || data.format !== FORMAT || !Array.isArray(data.records)) throw new Error('format');
    } catch (err) {
      tell(t('import_failed'), 'error');
      return;
    }
    var added = 0;
    var skipped = 0;
    for (var i = 0; i < data.records.length; i++) {
      var r = data.records[i];
      if (!r || !r.id || !r.kind || !r.endpoint || !r.payload || await outbox.get(r.id)) { skipped++; continue; }
      var photos = (r.photos || []).map(function (p) {
        return { id: p.id, type: p.type, width: p.width, height: p.height, state: p.state, blob: p.data ? fromDataUrl(p.data) : null };
      });
      delete r.photos;
      if (r.state === 'sending' || r.state === 'failed') r.state = 'queued';
      await outbox.save(r, photos);
      added++;
    }
    tell(t('imported', { added: added, skipped: skipped }));
    Pingli.syncNow();
  }

  async function storageStatus() {
    var line = document.querySelector('[data-outbox-storage]');
    if (!navigator.storage || !navigator.storage.persisted) return;
    var persistent = await Pingli.persistStorage();
    line.textContent = persistent ? t('storage_persistent') : t('storage_best_effort');
  }

  document.querySelector('[data-outbox-actions]').hidden = false;
  document.querySelector('[data-outbox-send]').addEventListener('click', function () { Pingli.syncNow(); });
  document.querySelector('[data-outbox-export]').addEventListener('click', exportFile);
  document.querySelector('[data-outbox-import]').addEventListener('change', function (e) {
    if (e.target.files[0]) importFile(e.target.files[0]);
    e.target.value = '';
  });
  outbox.onChange(render);
  render();
  storageStatus();
})();
