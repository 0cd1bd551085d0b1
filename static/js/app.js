/* On every page: the service worker, the outbox count in the menu, and sending the outbox
 * whenever there is a chance (the page opens, the network returns, Background Sync).
 * Does nothing at all when the outbox is empty, so a page costs no extra request.
 */
(function () {
  'use strict';

  var Pingli = window.Pingli = window.Pingli || {};
  var outbox = window.PingliOutbox;
  var sync = window.PingliSync;
  var user = document.body.getAttribute('data-user') || '';
  var strings = null;
  var retryDelay = 0;
  var retryTimer = null;

  // Translated strings come from the server as JSON blocks in the page (see
  // templates/pwa/_strings.html); placeholders are gettext's %(name)s.
  Pingli.t = function (key, vars) {
    if (!strings) {
      strings = {};
      document.querySelectorAll('script.pingli-strings').forEach(function (el) {
        Object.assign(strings, JSON.parse(el.textContent));
      });
    }
    // webview mode (webview.js): a text that would promise offline keeping has a variant
    var webview = window.PingliWebview && window.PingliWebview.active;
    var text = (webview && strings[key + '@webview']) || strings[key] || key;
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return vars && name in vars ? vars[name] : ''; });
  };

  function afterSync(result) {
    refresh();
    if (!result || result.busy) return result;
    clearTimeout(retryTimer);
    if (result.retry && navigator.onLine) {
      // the network is up but the server was not reachable or failed: back off, 15 s to 5 min
      retryDelay = Math.min(retryDelay ? retryDelay * 2 : 15000, 300000);
      retryTimer = setTimeout(Pingli.syncNow, retryDelay);
    } else {
      retryDelay = 0;
    }
    if (result.retry) Pingli.requestBackgroundSync();
    return result;
  }

  // Send what waits. Resolves with the sync result ({pending, retry, signedOut} or {busy}).
  // Also on the login page: a 401 there is what raises the "sign in again" bar.
  // First the phone tells the server what it holds (outbox-device.js; only when that changed),
  // so an entry the browser clears before it is sent is noticed.
  Pingli.syncNow = function () {
    if (!outbox || !sync) return Promise.resolve(null);
    var reported = Pingli.reportOutbox ? Pingli.reportOutbox() : Promise.resolve();
    return reported.then(function () { return sync.run(); })
      .then(afterSync, function (err) { console.error('outbox sync failed', err); });
  };

  // Background Sync (Chrome on Android): the browser wakes the service worker to send the
  // outbox when the network returns, even after the app was closed.
  Pingli.requestBackgroundSync = function () {
    if (!('serviceWorker' in navigator)) return Promise.resolve();
    return navigator.serviceWorker.ready.then(function (reg) {
      return reg.sync ? reg.sync.register('pingli-outbox') : null;
    }).catch(function () { /* not granted: the online event and app opens still send */ });
  };

  // Pingli.persistStorage (asked once, the answer remembered) is in outbox-device.js.

  function bar() {
    var el = document.getElementById('outbox-bar');
    if (!el) {
      el = document.createElement('p');
      el.id = 'outbox-bar';
      el.className = 'outbox-bar';
      el.setAttribute('role', 'status');
      var header = document.querySelector('.topbar');
      header.parentNode.insertBefore(el, header.nextSibling);
    }
    return el;
  }

  function link(href, text) {
    var a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    return a;
  }

  // The menu badge and, when the worker must act, a bar under the menu.
  function refresh() {
    if (!outbox) return Promise.resolve();
    return Promise.all([outbox.all(), outbox.getMeta('auth')]).then(function (got) {
      var waiting = got[0].filter(function (r) { return r.state !== 'sent'; });
      var refused = waiting.filter(function (r) { return r.state === 'rejected'; });
      document.querySelectorAll('[data-outbox-count]').forEach(function (el) {
        el.textContent = waiting.length;
        el.hidden = !waiting.length;
      });
      var existing = document.getElementById('outbox-bar');
      var onOutbox = location.pathname === '/outbox';
      if (waiting.length && got[1]) {
        var el = bar();
        el.textContent = Pingli.t('sign_in_again') + ' ';
        el.appendChild(link('/login?next=' + encodeURIComponent(location.pathname), Pingli.t('sign_in')));
      } else if (refused.length && !onOutbox) {
        var el2 = bar();
        el2.textContent = Pingli.t('attention', { num: refused.length }) + ' ';
        el2.appendChild(link('/outbox', Pingli.t('open_outbox')));
      } else if (existing) {
        existing.remove();
      }
    });
  }
  Pingli.refreshOutbox = refresh;

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function (err) {
      console.error('service worker registration failed', err);
    });
    navigator.serviceWorker.ready.then(function (reg) {
      if (!user || !reg.active) return;
      // Keep the forms this worker needs offline (they need a login, so the service worker
      // may not have had them since it was installed). When another person signed in on
      // this phone, first forget the pages kept for the previous one; the outbox stays,
      // and is sent only by its owner.
      var previous = localStorage.getItem('pingli-user');
      localStorage.setItem('pingli-user', user);
      reg.active.postMessage(previous && previous !== user ? { type: 'forget-pages', refetch: true } : { type: 'keep-shell' });
    });

  }

  // Signing out removes what this phone kept for the worker (the pages, the copies of cases
  // already sent) but never the outbox of what is not sent yet: with unsent entries, it first
  // says so and asks. (Without JavaScript the form simply signs out; the server's
  // Clear-Site-Data header still empties the HTTP cache.)
  // Signing out must not hang on a stuck IndexedDB: after a few seconds it goes on (it never
  // removes unsent entries, so nothing is lost by not waiting).
  function within(promise, ms, fallback) {
    return Promise.race([promise, new Promise(function (resolve) { setTimeout(resolve, ms, fallback); })]);
  }

  function unsent() {
    if (!outbox) return Promise.resolve(0);
    return within(outbox.all().then(function (records) {
      return records.filter(function (r) { return r.state !== 'sent'; }).length;
    }, function () { return 0; }), 3000, 0);
  }

  function forgetPersonalData() {
    localStorage.removeItem('pingli-user');
    var steps = [];
    if (window.caches) {
      steps.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (n) { return /^pingli-.*-pages$/.test(n); })
          .map(function (n) { return caches.delete(n); }));
      }));
    }
    if (outbox) {
      steps.push(outbox.all().then(function (records) {
        return Promise.all(records.filter(function (r) { return r.state === 'sent'; })
          .map(function (r) { return outbox.remove(r.id); }));
      }));
    }
    if ('serviceWorker' in navigator && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: 'forget-pages' });
    }
    return within(Promise.all(steps), 3000).catch(function (err) { console.error('forgetting kept pages failed', err); });
  }

  function warnBeforeLogout(form, count) {
    var box = document.getElementById('logout-warning');
    if (!box) {
      box = document.createElement('div');
      box.id = 'logout-warning';
      box.className = 'logout-warning';
      box.setAttribute('role', 'alert');
      var text = document.createElement('p');
      box.appendChild(text);
      var go = document.createElement('button');
      go.type = 'button';
      go.className = 'button';
      go.setAttribute('data-logout-anyway', '');
      go.textContent = Pingli.t('logout_anyway');
      go.addEventListener('click', function () {
        forgetPersonalData().then(function () { form.submit(); });
      });
      box.appendChild(go);
      box.appendChild(document.createTextNode(' '));
      box.appendChild(link('/outbox', Pingli.t('open_outbox')));
      form.parentNode.insertBefore(box, form);
    }
    box.querySelector('p').textContent = Pingli.t('logout_unsent', { num: count });
    box.scrollIntoView({ block: 'center' });
  }

  var logout = document.querySelector('form[action="/logout"]');
  if (logout) {
    logout.addEventListener('submit', function (event) {
      event.preventDefault();
      unsent().then(function (count) {
        if (count) return warnBeforeLogout(logout, count);
        return forgetPersonalData().then(function () { logout.submit(); });
      });
    });
  }

  if (outbox) {
    outbox.onChange(refresh);
    refresh();
    window.addEventListener('online', Pingli.syncNow);
    // No service worker, no Background Sync (an app's built-in browser): send whenever the
    // page is shown again, since nothing sends once it is gone.
    if (window.PingliWebview && window.PingliWebview.active) {
      document.addEventListener('visibilitychange', function () {
        if (document.visibilityState === 'visible') Pingli.syncNow();
      });
      window.addEventListener('pageshow', function (e) { if (e.persisted) Pingli.syncNow(); });
    }
    Pingli.syncNow();
  }
})();
