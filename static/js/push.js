/* Push notifications on this device: a button on the notification centre, so the browser
 * asks for permission only when the person chose to (never on page load).
 *
 * Subscribes with the server's VAPID key (GET /api/v1/push/key) and registers the device
 * (POST /api/v1/push/subscriptions); turning off unsubscribes and tells the server (DELETE).
 * The service worker (sw.js) shows what arrives.
 */
(function () {
  'use strict';

  var box = document.getElementById('push-settings');
  if (!box || !('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return;
  var on = box.querySelector('[data-push-on]');
  var off = box.querySelector('[data-push-off]');
  var state = box.querySelector('[data-push-state]');
  var t = function (key) { return window.Pingli && window.Pingli.t ? window.Pingli.t(key) : key; };

  function csrf() {
    try { return JSON.parse(document.body.getAttribute('hx-headers'))['x-csrftoken']; } catch (e) { return ''; }
  }

  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'x-csrftoken': csrf() },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      if (!r.ok && r.status !== 404) throw new Error('HTTP ' + r.status);
      return r.status === 204 ? null : r.json();
    });
  }

  function keyBytes(base64url) {
    var raw = atob(base64url.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((base64url.length + 3) % 4));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function show(subscription, message) {
    box.hidden = false;
    on.hidden = !!subscription || Notification.permission === 'denied';
    off.hidden = !subscription;
    state.textContent = message || t(subscription ? 'push_on' : (Notification.permission === 'denied' ? 'push_denied' : 'push_off'));
  }

  function registration() { return navigator.serviceWorker.ready; }

  on.addEventListener('click', function () {
    on.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== 'granted') return show(null);
      return Promise.all([registration(), api('GET', '/api/v1/push/key')]).then(function (got) {
        return got[0].pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(got[1].public_key) });
      }).then(function (subscription) {
        return api('POST', '/api/v1/push/subscriptions', subscription.toJSON()).then(function () { show(subscription); });
      });
    }).catch(function (err) {
      console.error('push subscription failed', err);
      show(null, t('push_failed'));
    }).then(function () { on.disabled = false; });
  });

  off.addEventListener('click', function () {
    off.disabled = true;
    registration().then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (subscription) {
      if (!subscription) return show(null);
      return api('DELETE', '/api/v1/push/subscriptions', { endpoint: subscription.endpoint })
        .then(function () { return subscription.unsubscribe(); })
        .then(function () { show(null); });
    }).catch(function (err) { console.error('push unsubscribe failed', err); }).then(function () { off.disabled = false; });
  });

  registration().then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (subscription) {
    // Subscribed here but perhaps not on the server (another person signed in since, or the
    // row was removed): post it again, it is idempotent.
    if (subscription) api('POST', '/api/v1/push/subscriptions', subscription.toJSON()).catch(function () {});
    show(subscription);
  });
})();
