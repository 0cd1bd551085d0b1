/* Photos for the outbox: resized on the phone before they are stored or sent.
 *
 * A phone camera writes 3-8 MB files; on 2G that is minutes per photo and it fills the
 * phone's storage. Redrawn on a canvas to at most 1600 px and re-encoded as JPEG, a photo
 * is a few hundred KB and carries no EXIF (no GPS position of the phone). The server
 * re-encodes again anyway and never trusts these bytes.
 */
(function () {
  'use strict';

  var MAX_SIDE = 1600;
  var QUALITY = 0.8;

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  // Decoding through an <img> applies the EXIF orientation (Chrome 81+), so a portrait
  // photo stays upright once the EXIF is gone.
  function load(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error('unreadable image')); };
      img.src = url;
    });
  }

  async function resize(file) {
    var img = await load(file);
    var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
    var canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
    canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
    var ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff'; // a transparent PNG becomes white, not black, as JPEG
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    var blob = await new Promise(function (resolve) { canvas.toBlob(resolve, 'image/jpeg', QUALITY); });
    if (!blob) throw new Error('could not encode');
    canvas.width = canvas.height = 0; // give the bitmap memory back at once on small phones
    return { id: newId(), blob: blob, type: 'image/jpeg', size: blob.size, width: img.naturalWidth * scale | 0, height: img.naturalHeight * scale | 0 };
  }

  // The photo picker of a capture form: <fieldset data-photos> with an <input type=file>
  // and a preview list. Shown only with JavaScript (without it, photos are added on the
  // case page after saving).
  function picker(fieldset, t, onError) {
    var input = fieldset.querySelector('[data-photo-input]');
    var list = fieldset.querySelector('[data-photo-list]');
    var items = [];
    fieldset.hidden = false;

    function render() {
      list.textContent = '';
      items.forEach(function (item) {
        if (!item.url) item.url = URL.createObjectURL(item.blob);
        var li = document.createElement('li');
        var img = document.createElement('img');
        img.src = item.url;
        img.alt = '';
        var remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'linkish';
        remove.textContent = t('remove');
        remove.addEventListener('click', function () {
          URL.revokeObjectURL(item.url);
          items = items.filter(function (x) { return x !== item; });
          render();
        });
        li.appendChild(img);
        li.appendChild(remove);
        list.appendChild(li);
      });
    }

    input.addEventListener('change', async function () {
      var files = Array.prototype.slice.call(input.files);
      input.value = '';
      // one at a time: a cheap phone cannot hold several decoded 12 MP photos at once
      for (var i = 0; i < files.length; i++) {
        try {
          items.push(await resize(files[i]));
          render();
        } catch (err) {
          onError(t('photo_unreadable'));
        }
      }
    });

    return {
      // what to store with the record (the Blobs, without the preview URLs)
      collect: function () {
        return items.map(function (p) {
          return { id: p.id, blob: p.blob, type: p.type, size: p.size, width: p.width, height: p.height, state: p.state };
        });
      },
      // show the photos of an outbox record being edited (those not uploaded yet)
      load: function (photos) {
        items = photos.filter(function (p) { return p.blob; });
        render();
      },
      clear: function () {
        items.forEach(function (p) { if (p.url) URL.revokeObjectURL(p.url); });
        items = [];
        render();
      }
    };
  }

  window.PingliPhotos = { resize: resize, picker: picker, newId: newId };
})();
