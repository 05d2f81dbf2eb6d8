// Keeps the survey pages and their assets on the phone after the first visit, so a form can
// be opened and filled with no connection. Pages come from the network when it answers.
// The recordings of a form's texts are kept too, as the page asks (survey-audio.js) and as
// they are played: their address changes with their content, so a kept one is never stale.
var CACHE = "survey-v1";
var AUDIO_CACHE = "survey-audio-v1";
var AUDIO_KEPT = 600; // recordings at most; the oldest go first
var AUDIO_PATH = /^\/s\/[^/]+\/audio\/[0-9]+-[0-9a-f]+\.[a-z0-9]+$/;
var ASSETS = [
  "/static/css/site.css", "/static/js/survey-form.js", "/static/js/offline-queue.js",
  "/static/js/survey-audio.js"
];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k !== CACHE && k !== AUDIO_CACHE;
    }).map(function (k) {
      return caches.delete(k);
    }));
  }).then(function () { return self.clients.claim(); }));
});

// --- recordings -------------------------------------------------------------------------

function isAudio(url) {
  return url.origin === self.location.origin && AUDIO_PATH.test(url.pathname);
}

// The whole recording from the network (never a part of it: a part cannot be kept), kept.
function fetchAudio(cache, address) {
  return fetch(address, { credentials: "same-origin" }).then(function (response) {
    if (response.status === 200) {
      return cache.put(address, response.clone()).then(function () { return response; });
    }
    return response;
  });
}

// What a media element asks with "Range: bytes=a-b" (Safari always does), cut from the whole.
function inRange(request, response) {
  var range = request.headers.get("Range");
  if (!range || response.status !== 200) return Promise.resolve(response);
  return response.arrayBuffer().then(function (body) {
    var size = body.byteLength;
    var parts = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    var start = parts && parts[1] !== "" ? Number(parts[1]) : size - Number(parts ? parts[2] : 0);
    var end = parts && parts[1] !== "" && parts[2] !== "" ? Math.min(Number(parts[2]), size - 1) : size - 1;
    if (!parts || start < 0 || start >= size || end < start) {
      return new Response(null, { status: 416, headers: { "Content-Range": "bytes */" + size } });
    }
    return new Response(body.slice(start, end + 1), {
      status: 206,
      headers: {
        "Content-Type": response.headers.get("Content-Type") || "audio/mpeg",
        "Content-Range": "bytes " + start + "-" + end + "/" + size,
        "Content-Length": String(end - start + 1),
        "Accept-Ranges": "bytes"
      }
    });
  });
}

function trimAudio(cache) {
  return cache.keys().then(function (keys) {
    return Promise.all(keys.slice(0, Math.max(0, keys.length - AUDIO_KEPT)).map(function (k) {
      return cache.delete(k);
    }));
  });
}

function answerAudio(request) {
  var address = request.url.split("#")[0];
  return caches.open(AUDIO_CACHE).then(function (cache) {
    return cache.match(address).then(function (hit) {
      return hit || fetchAudio(cache, address);
    }).then(function (response) { return inRange(request, response); });
  });
}

// Keep `address` in `cacheName` unless it is kept already (a failure waits for next time).
function keepOnce(cacheName, address) {
  return caches.open(cacheName).then(function (cache) {
    return cache.match(address).then(function (hit) {
      if (hit) return;
      var fetched = cacheName === AUDIO_CACHE ? fetchAudio(cache, address) :
        fetch(address, { credentials: "same-origin" }).then(function (response) {
          if (response.ok) return cache.put(address, response);
        });
      return fetched.catch(function () { /* offline: next time */ });
    });
  });
}

function sameOrigin(u) {
  var url = new URL(u, self.location.origin);
  return url.origin === self.location.origin ? url : null;
}

// A form names its recordings, its scripts and style sheet, and itself: keep what is not
// kept yet, one after another, so that the survey opens and speaks with no connection from
// the first visit on (before this worker controlled the page, nothing of it went through here).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (!Array.isArray(data.keepAudio)) return;
  var audio = data.keepAudio.map(sameOrigin).filter(function (u) { return u && isAudio(u); });
  var assets = (data.keepAssets || []).map(sameOrigin).filter(function (u) {
    return u && u.pathname.indexOf("/static/") === 0;
  });
  var page = data.keepPage ? sameOrigin(data.keepPage) : null;
  var jobs = audio.map(function (u) { return [AUDIO_CACHE, u.href]; })
    .concat(assets.map(function (u) { return [CACHE, u.href]; }));
  if (page && /^\/s\/[^/]+$/.test(page.pathname)) jobs.push([CACHE, page.href]);
  event.waitUntil(jobs.reduce(function (done, job) {
    return done.then(function () { return keepOnce(job[0], job[1]); });
  }, Promise.resolve()).then(function () {
    return caches.open(AUDIO_CACHE).then(trimAudio);
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return; // answers are never cached here; the page queues them
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (isAudio(url)) {
    event.respondWith(answerAudio(request));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
        return response;
      });
    }));
    return;
  }
  if (url.pathname === "/" || /^\/s\/[^/]+$/.test(url.pathname)) {
    // Network first; the last copy of the page when the network fails.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (hit) {
        return hit || caches.match(url.pathname);
      });
    }));
  }
});
