/* Sending the outbox: each record exactly once, then its photos one by one.
 *
 * Exactly once rests on the server: a record is posted with its own UUID, and the server
 * stores a UUID once and answers a repeat as it answered the first time. So the phone may
 * repeat freely: after a lost answer, a killed app, or two tabs and the service worker all
 * syncing at once. A Web Lock keeps those from sending side by side anyway, to spare the
 * network. A record leaves the outbox only when the server has confirmed it and every photo;
 * a record the server refuses stays, with the reason, until the worker corrects or discards
 * it. Runs in pages and in the service worker; touches no DOM.
 */
(function (self) {
  'use strict';

  var LOCK = 'pingli-outbox-sync';
  var db = self.PingliOutbox;
  var running = null; // without Web Locks: at least one sync at a time per context
  var KEEP_SENT_MS = 3 * 24 * 3600 * 1000; // the "sent recently" list on the outbox page

  // Answers that a repeat would not change: the worker must act.
  function isRefusal(status) {
    return status === 400 || status === 403 || status === 404 || status === 409 ||
      status === 413 || status === 415 || status === 422;
  }

  // A case refused as "same id, other content" (409): the server holds a case with this id,
  // most likely this one as first sent. An older version of the app let such a record be
  // edited after a lost answer and then left it refused for good; it is settled on the next
  // sync by reading the stored case.
  function unsettled(record) {
    return record.kind === 'dispute' && record.state === 'rejected' && !record.delivered &&
      record.error && record.error.status === 409;
  }

  function Offline() {}
  function SignedOut() {}
  function NotDue() {}

  function readJson(response) {
    return response.json().catch(function () { return {}; });
  }

  function problem(status, body) {
    return {
      code: isRefusal(status) ? 'refused' : 'server',
      status: status,
      message: body.detail || body.title || '',
      fields: Array.isArray(body.errors) ? body.errors : [],
      // the grid under the GPS point when it disagrees with the grid chosen
      located_grid: body.located_grid || null
    };
  }

  // fetch, with "no network" as an exception of its own. The session's CSRF token goes
  // with every unsafe request: the sync is authenticated by the session cookie.
  function request(session, url, options) {
    options.credentials = 'same-origin';
    options.headers = Object.assign({ accept: 'application/json', 'x-csrftoken': session.csrf_token || '' }, options.headers);
    return fetch(url, options).catch(function () { throw new Offline(); }).then(function (response) {
      if (response.status === 401) throw new SignedOut();
      return response;
    });
  }

  function fetchSession() {
    return fetch('/api/v1/session', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .catch(function () { throw new Offline(); })
      .then(function (response) {
        if (response.status === 401) throw new SignedOut();
        if (!response.ok) throw new Offline();
        return response.json();
      });
  }

  function summary(record, body) {
    if (record.kind === 'dispute') return { ref: body.case_no, url: '/disputes/' + record.id };
    return { ref: body.grid && body.grid.name, url: '/checkins' };
  }

  // Mark a record "sending" and take its current content, in one transaction: an edit
  // saved a moment ago is what gets sent, and an edit cannot slip in once sending began.
  async function claim(id) {
    try {
      return await db.update(id, function (record) {
        if (record.state === 'sent' || (record.state === 'rejected' && !unsettled(record))) throw new NotDue();
        record.state = 'sending';
        record.attempts = (record.attempts || 0) + 1;
        // from here the server may get it even if its answer never comes back
        if (!record.delivered) record.tried = true;
        return record;
      });
    } catch (err) {
      if (err instanceof NotDue) return null;
      throw err;
    }
  }

  async function postRecord(record, session) {
    var body = Object.assign({}, record.payload, { id: record.id });
    var response = await request(session, record.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body)
    });
    var answer = await readJson(response);
    if (response.ok) {
      return db.update(record.id, { delivered: true, server: summary(record, answer), error: null });
    }
    if (response.status === 409 && record.kind === 'dispute') {
      var settled = await settle(record, session);
      if (settled) return settled;
    }
    var error = problem(response.status, answer);
    await db.update(record.id, {
      state: error.code === 'refused' ? 'rejected' : 'failed',
      error: error,
      // refused as it stands (422 and the like): the server stored nothing, so it may be edited
      tried: error.code === 'refused' && response.status !== 409 ? false : record.tried
    });
    return null;
  }

  // "Same id, other content": read the case the server holds. Logged by this worker, it is
  // this record as first sent (its answer was lost): delivered. Whatever the phone holds that
  // differs from it (an edit made before this version of the app) goes as a correction, so
  // nothing the worker typed is lost. Another's case, or none to see: refused as it was.
  async function settle(record, session) {
    var response = await request(session, '/api/v1/disputes/' + record.id, { method: 'GET' });
    if (!response.ok) return null;
    var stored = await readJson(response);
    if (!session.user || stored.created_by !== session.user.id) return null;
    var payload = record.payload || {};
    var differs = [];
    if (payload.title && payload.title !== stored.title) differs.push(payload.title);
    if ((payload.description || '') !== (stored.description || '') && payload.description) differs.push(payload.description);
    return db.update(record.id, function (current) {
      current.delivered = true;
      current.server = summary(current, stored);
      current.error = null;
      if (differs.length) {
        current.corrections = (current.corrections || []).concat([{
          id: newId(), note: differs.join('\n'), createdAt: new Date().toISOString(), state: 'queued', error: null
        }]);
      }
      return current;
    });
  }

  function newId() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  // The worker's corrections, after the case and its photos, each once (its own UUID makes a
  // repeat harmless). Resolves false when one could not go (no network, a refusal).
  async function postCorrections(record, session) {
    var pending = (record.corrections || []).filter(function (c) { return c.state !== 'sent'; });
    for (var i = 0; i < pending.length; i++) {
      var c = pending[i];
      var response = await request(session, '/api/v1/disputes/' + record.id + '/corrections/' + c.id, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ note: c.note })
      });
      var error = response.ok ? null : problem(response.status, await readJson(response));
      await db.update(record.id, function (current) {
        (current.corrections || []).forEach(function (x) {
          if (x.id === c.id) { x.state = error ? (error.code === 'refused' ? 'rejected' : 'queued') : 'sent'; x.error = error; }
        });
        if (error) { current.state = error.code === 'refused' ? 'rejected' : 'failed'; current.error = error; }
        return current;
      });
      if (error) return false;
    }
    return true;
  }

  // Upload the photos the server does not have yet, one request each: a dropped connection
  // costs one photo, and the next sync resumes with the photo after the last confirmed one.
  async function putPhotos(record, session) {
    var photos = await db.photosOf(record.id);
    for (var i = 0; i < photos.length; i++) {
      var photo = photos[i];
      if (photo.state === 'sent' || photo.state === 'rejected') continue;
      var response = await request(session, '/api/v1/disputes/' + record.id + '/photos/' + photo.id, {
        method: 'PUT',
        headers: { 'content-type': photo.type || 'image/jpeg' },
        body: photo.blob
      });
      if (response.ok) {
        await db.updatePhoto(photo.id, { state: 'sent', blob: null, error: null });
        continue;
      }
      var error = problem(response.status, await readJson(response));
      if (error.code !== 'refused') {
        await db.update(record.id, { state: 'failed', error: error });
        return false;
      }
      await db.updatePhoto(photo.id, { state: 'rejected', error: error });
    }
    var refused = (await db.photosOf(record.id)).filter(function (p) { return p.state === 'rejected'; });
    if (refused.length) {
      await db.update(record.id, { state: 'rejected', error: Object.assign({}, refused[0].error, { code: 'photo' }) });
      return false;
    }
    return true;
  }

  async function sendRecord(id, session) {
    var record = await claim(id);
    if (!record) return; // sent or discarded meanwhile
    if (!record.delivered) {
      record = await postRecord(record, session);
      if (!record) return;
    }
    if (await putPhotos(record, session) && await postCorrections(await db.get(record.id), session)) {
      // The server has it: the phone keeps only the label for the "sent" list, not the
      // parties' names and numbers.
      await db.update(record.id, { state: 'sent', sentAt: new Date().toISOString(), error: null, payload: null });
    }
  }

  async function pruneSent(records) {
    var cutoff = Date.now() - KEEP_SENT_MS;
    for (var i = 0; i < records.length; i++) {
      var r = records[i];
      if (r.state === 'sent' && Date.parse(r.sentAt) < cutoff) await db.remove(r.id);
    }
  }

  // One pass over the outbox. Resolves with what is left: {pending, retry, signedOut}.
  // `retry` means some record could not be sent for a reason that may pass (no network,
  // a server error): the caller should try again later.
  async function sendAll() {
    var records = await db.all();
    await pruneSent(records);
    var due = records.filter(function (r) { return r.state !== 'sent' && (r.state !== 'rejected' || unsettled(r)); });
    if (!due.length) return { pending: 0, retry: false };
    var session;
    try {
      session = await fetchSession();
      if (await db.getMeta('auth')) await db.setMeta('auth', false);
      for (var i = 0; i < due.length; i++) {
        if (due[i].owner && due[i].owner !== session.user.username) continue;
        await sendRecord(due[i].id, session);
      }
    } catch (err) {
      if (err instanceof SignedOut) {
        await db.setMeta('auth', true);
        await resetSending({ code: 'auth' });
        return { pending: due.length, retry: false, signedOut: true };
      }
      if (err instanceof Offline) {
        await resetSending({ code: 'network' });
        return { pending: due.length, retry: true };
      }
      throw err;
    }
    var left = (await db.all()).filter(function (r) {
      return r.state !== 'sent' && r.state !== 'rejected' && (!r.owner || r.owner === session.user.username);
    });
    return { pending: left.length, retry: left.length > 0 };
  }

  // What was "sending" when the network went stays in the outbox, marked with why.
  async function resetSending(error) {
    var records = await db.all();
    for (var i = 0; i < records.length; i++) {
      if (records[i].state === 'sending') await db.update(records[i].id, { state: 'failed', error: error });
    }
  }

  function run() {
    if (self.navigator && navigator.locks) {
      return navigator.locks.request(LOCK, { ifAvailable: true }, function (lock) {
        return lock ? sendAll() : null;
      }).then(function (result) {
        if (result) return result;
        // another tab or the service worker is sending: wait for it, report "busy"
        return navigator.locks.request(LOCK, function () { return { busy: true }; });
      });
    }
    if (!running) {
      running = sendAll().finally(function () { running = null; });
      return running;
    }
    return running.then(function () { return { busy: true }; });
  }

  self.PingliSync = { run: run, newId: newId };
})(self);
