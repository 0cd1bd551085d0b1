/* The service worker, served as /sw.js (scope: the whole app) by app/pwa/routes.py, which
 * puts self.PINGLI_SHELL in front of this file: the shell version, the fingerprinted
 * static files, the pages to keep, and the outbox scripts to import.
 *
 * - Static files: cache first. Their URLs carry a content hash, so a cached copy is never
 *   stale; a deploy brings new URLs, a new version, new caches, and the old ones are
 *   deleted on activate.
 * - Pages: network first, so the worker sees fresh data whenever there is signal; the
 *   copy kept from the last visit is shown when the network fails or dawdles (2G), and the
 *   offline page when there is no copy. Pages marked no-store (personal data) are not kept.
 * - Nothing else is touched: API calls and photos go straight to the network.
 * - Background Sync: sends the outbox even when no page is open.
 */
/* global PINGLI_SHELL, PingliSync */
'use strict';

var SHELL = self.PINGLI_SHELL;
importScripts.apply(self, SHELL.imports);

var STATIC_CACHE = 'pingli-' + SHELL.version + '-static';
var PAGES_CACHE = 'pingli-' + SHELL.version + '-pages';
var MAX_PAGES = 40;
var NETWORK_PATIENCE_MS = 4000; // on 2G, after this the kept copy beats waiting
var SYNC_TAG = 'pingli-outbox';

function isShellPage(pathname) {
  return SHELL.pages.indexOf(pathname) !== -1 || SHELL.public_pages.indexOf(pathname) !== -1;
}

// Shell pages are kept under their bare path: /disputes/new?outbox=… is the same form.
function pageKey(url) {
  var u = new URL(url);
  return isShellPage(u.pathname) ? u.pathname : u.pathname + u.search;
}

function isHtml(response) {
  return (response.headers.get('content-type') || '').indexOf('text/html') === 0;
}

// Keep a page if it is a real page: a login redirect or an error is not worth keeping. A page
// the server marks no-store (a case with its parties, the case file, an agreement, the audit
// log) holds personal data: it is never kept on the phone.
function keepPage(cache, key, response) {
  if (!response.ok || response.type !== 'basic' || response.redirected || !isHtml(response)) return Promise.resolve();
  if (/no-store/.test(response.headers.get('cache-control') || '')) return Promise.resolve();
  return cache.put(key, response.clone()).then(function () { return trim(cache); });
}

function trim(cache) {
  return cache.keys().then(function (keys) {
    var extra = keys.filter(function (req) { return !isShellPage(new URL(req.url).pathname); }).length - MAX_PAGES;
    var doomed = keys.filter(function (req) { return !isShellPage(new URL(req.url).pathname); }).slice(0, Math.max(0, extra));
    return Promise.all(doomed.map(function (req) { return cache.delete(req); }));
  });
}

// Fetch the shell pages as the signed-in worker sees them: the forms, and the public pages
// with the worker's menu. `redirect: manual`: without a login the forms answer with a
// redirect to the login page, and that is not kept.
function keepShellPages(onlyMissing) {
  return caches.open(PAGES_CACHE).then(function (cache) {
    return Promise.all(SHELL.pages.concat(SHELL.public_pages).map(function (path) {
      return (onlyMissing ? cache.match(path) : Promise.resolve(null)).then(function (hit) {
        if (hit) return null;
        return fetch(path, { credentials: 'same-origin', redirect: 'manual' })
          .then(function (response) { return keepPage(cache, path, response); })
          .catch(function () { /* offline or signed out: kept on a later visit */ });
      });
    }));
  });
}

self.addEventListener('install', function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE)
      // hashed URLs: whatever the HTTP cache holds for them is current, so no re-download
      // The public pages are kept as anybody sees them (no cookies): no one's name in them,
      // so they can outlive a logout. They are versioned with the static files.
      .then(function (cache) {
        return cache.addAll(SHELL.assets.concat(SHELL.public_pages.map(function (path) {
          return new Request(path, { credentials: 'omit' });
        })));
      })
      .then(function () { return keepShellPages(false); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener('activate', function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) {
        if (name.indexOf('pingli-') === 0 && name !== STATIC_CACHE && name !== PAGES_CACHE) return caches.delete(name);
        return null;
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener('message', function (event) {
  var type = event.data && event.data.type;
  if (type === 'keep-shell') event.waitUntil(keepShellPages(true));
  // Signed out, or another person signed in: the pages kept for one must not be shown to
  // the next (and a form kept for one would file cases under their name).
  if (type === 'forget-pages') {
    event.waitUntil(caches.delete(PAGES_CACHE).then(function () {
      return event.data.refetch ? keepShellPages(false) : null;
    }));
  }
});

// A page as kept for this worker, else as kept for anybody (the public pages, kept with
// the static files).
function keptCopy(cache, key) {
  return cache.match(key, { ignoreVary: true }).then(function (mine) {
    return mine || caches.match(key, { ignoreVary: true });
  });
}

function page(event) {
  var request = event.request;
  return caches.open(PAGES_CACHE).then(function (cache) {
    var network = fetch(request).then(function (response) {
      event.waitUntil(keepPage(cache, pageKey(request.url), response));
      return response;
    });
    return keptCopy(cache, pageKey(request.url)).then(function (kept) {
      if (!kept) return network.catch(function () { return keptCopy(cache, '/offline'); });
      // A copy exists: give the network a few seconds, then show the copy (the network
      // answer still refreshes the copy when it arrives).
      event.waitUntil(network.catch(function () {}));
      var patience = new Promise(function (resolve, reject) { setTimeout(reject, NETWORK_PATIENCE_MS); });
      return Promise.race([network, patience]).catch(function () { return kept; });
    });
  });
}

function asset(request) {
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok && response.type === 'basic') cache.put(request, response.clone());
        return response;
      });
    });
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(page(event));
  } else if (url.pathname.indexOf('/static/') === 0 || url.pathname === '/manifest.webmanifest') {
    event.respondWith(asset(request));
  }
});

// Background Sync: the browser wakes us when the network is back. A rejected promise asks
// it to try again later, so rejects while records still wait for the network.
self.addEventListener('sync', function (event) {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil(PingliSync.run().then(function (result) {
    if (result && result.retry) throw new Error('outbox not empty yet');
  }));
});

// Web Push (app/notify/webpush.py): the server sends {title, body, url, tag}, already in the
// device's language. A notice with the same tag replaces the earlier one on the screen.
self.addEventListener('push', function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data ? event.data.text() : '' }; }
  event.waitUntil(self.registration.showNotification(data.title || 'Pingli', {
    body: data.body || '',
    tag: data.tag || undefined,
    icon: SHELL.icon,
    badge: SHELL.icon,
    data: { url: data.url || '/notifications' }
  }));
});

// Opening a notification: an open window of the app goes to its link, else a new one does.
// Only links on this site are followed.
self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || '/', self.location.origin);
  if (target.origin !== self.location.origin) target = new URL('/', self.location.origin);
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if ('navigate' in windows[i] && 'focus' in windows[i]) {
        return windows[i].focus().then(function (client) { return client.navigate(target.href); });
      }
    }
    return self.clients.openWindow(target.href);
  }));
});

// Signed out, or another person signed in (app.js sends 'forget-pages' then): this phone must
// stop receiving the previous person's notices. Unsubscribing here makes the push service
// answer 410 to the server's next push, and the server then deletes the subscription.
self.addEventListener('message', function (event) {
  if (!event.data || event.data.type !== 'forget-pages' || !self.registration.pushManager) return;
  event.waitUntil(self.registration.pushManager.getSubscription().then(function (subscription) {
    return subscription ? subscription.unsubscribe() : null;
  }).catch(function () { /* nothing to undo */ }));
});
