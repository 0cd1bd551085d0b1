/* Where the page runs: the phone's own browser, or a browser the outbox cannot trust.
 *
 * Most links in rural China open in an app's built-in browser (WeChat's X5/XWeb, QQ,
 * DingTalk, Weibo, Alipay, UC-like webviews). There service workers may be missing and the
 * app may clear what the page kept when the worker leaves it. The same holds for any browser
 * without a service worker or IndexedDB (a private window, a page served without https).
 * In that "webview mode":
 * - a banner (base.html) says how to open the page in the phone's browser for offline use;
 * - the outbox is written to IndexedDB and localStorage both (outbox-db.js) and read back
 *   from whichever survived;
 * - texts that promise "kept on the phone, sent later" use their webview variant
 *   (`key@webview` in the page's strings, see Pingli.t in app.js).
 * Loaded before the outbox scripts; touches the DOM only when there is one.
 */
(function (self) {
  'use strict';

  var ua = (self.navigator && navigator.userAgent) || '';
  // app name -> its user agent's mark (WeCom before WeChat: its agent carries both)
  var APPS = [
    ['wecom', /wxwork/i],
    ['wechat', /MicroMessenger/i],
    ['qq', /\sQQ\/\d/],
    ['dingtalk', /DingTalk/i],
    ['weibo', /Weibo|__weibo__/i],
    ['alipay', /AlipayClient|AliApp/i],
    ['uc', /UCBrowser|UBrowser|UCWEB/i],
    ['baidu', /baiduboxapp/i],
    ['douyin', /aweme|BytedanceWebview|NewsArticle/i]
  ];
  var app = null;
  for (var i = 0; i < APPS.length; i++) {
    if (APPS[i][1].test(ua)) { app = APPS[i][0]; break; }
  }
  var serviceWorker = !!self.navigator && 'serviceWorker' in navigator;
  var indexedDB = !!self.indexedDB;
  var mode = {
    app: app,
    serviceWorker: serviceWorker,
    indexedDB: indexedDB,
    // the outbox cannot rely on the browser: keep it twice, promise nothing offline
    active: !!app || !serviceWorker || !indexedDB
  };
  self.PingliWebview = mode;

  if (typeof document === 'undefined' || !mode.active) return;
  document.documentElement.classList.add('webview');
  function show() {
    var banner = document.querySelector('[data-webview-banner]');
    if (banner) {
      banner.hidden = false;
      var how = banner.querySelector('[data-webview-how="' + (app ? 'app' : 'browser') + '"]');
      if (how) how.hidden = false;
    }
    document.querySelectorAll('[data-not-webview]').forEach(function (el) { el.hidden = true; });
    document.querySelectorAll('[data-webview-only]').forEach(function (el) { el.hidden = false; });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', show);
  else show();
})(self);
