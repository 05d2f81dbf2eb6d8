// The offline queue: answers that could not be sent stay on the phone, with their
// submission_uid, and go out when the connection returns or at the next visit. The server
// stores one response per submission_uid, so sending twice is harmless.
(function () {
  "use strict";
  var KEY = "survey-queue-v1";
  var USED = "survey-used-uids-v1";

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(items) {
    try { localStorage.setItem(KEY, JSON.stringify(items)); return true; } catch (e) { return false; }
  }
  function toBody(fields) {
    var body = new URLSearchParams();
    fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    return body;
  }
  function csrfFrom(html) {
    var match = /name="csrf_token" type="hidden" value="([^"]+)"/.exec(html);
    return match ? match[1] : null;
  }

  // A weak connection may leave a request hanging: after this long the answers are kept on
  // the phone instead, and resent (with the same submission_uid, so never counted twice).
  var TIMEOUT_MS = 30000;
  function send(url, fields) {
    var init = { method: "POST", body: toBody(fields), credentials: "same-origin" };
    if (!window.AbortController) return fetch(url, init);
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    init.signal = controller.signal;
    return fetch(url, init).then(function (response) {
      clearTimeout(timer);
      return response;
    }, function (error) {
      clearTimeout(timer);
      throw error;
    });
  }

  // POST once; on 422 (an expired token after days offline) once more with the fresh token
  // the server sent back. Resolves to the final Response; rejects when the network fails.
  function post(url, fields) {
    return send(url, fields).then(function (response) {
      if (response.status !== 422) return response;
      return response.clone().text().then(function (html) {
        var token = csrfFrom(html);
        if (!token) return response;
        var renewed = fields.map(function (pair) {
          return pair[0] === "csrf_token" ? ["csrf_token", token] : pair;
        });
        return send(url, renewed);
      });
    });
  }

  // The server is busy (503) or this connection sent too much (429): it says when to come
  // back. Wait that long (30 s when it does not say, 5 minutes at most) and send again.
  function busy(response) {
    return response.status === 503 || response.status === 429;
  }
  function waitFor(response) {
    var seconds = parseInt(response && response.headers.get("Retry-After"), 10);
    if (!(seconds > 0)) seconds = 30;
    return Math.min(seconds, 300) * 1000;
  }
  var retryTimer = null;
  function later(ms) {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, ms);
  }

  function announce(text) {
    var box = document.querySelector(".offline-status") || document.querySelector(".queue-status");
    if (box) box.textContent = text;
  }

  var flushing = false;
  function flush() {
    if (flushing) return Promise.resolve();
    var items = load();
    if (!items.length) return Promise.resolve();
    flushing = true;
    var remaining = [];
    var sent = 0;
    var wait = 0;
    return items.reduce(function (chain, item) {
      return chain.then(function () {
        return post(item.url, item.fields).then(function (response) {
          if (response.ok || response.status === 409 || response.status === 410) {
            sent += 1; // stored, already stored, or the survey closed: nothing more to do
          } else {
            remaining.push(item); // busy, rate limited or refused for now: try again later
            if (busy(response)) wait = Math.max(wait, waitFor(response));
          }
        }, function () { remaining.push(item); });
      });
    }, Promise.resolve()).then(function () {
      save(remaining);
      flushing = false;
      if (wait) later(wait); // offline ones wait for the "online" event or the next visit
      var body = document.body;
      if (sent && body) announce(body.getAttribute("data-sent-text") || "");
    });
  }

  function markUsed(uid) {
    var used = [];
    try { used = JSON.parse(localStorage.getItem(USED) || "[]"); } catch (e) { used = []; }
    if (used.indexOf(uid) === -1) used.push(uid);
    try { localStorage.setItem(USED, JSON.stringify(used.slice(-200))); } catch (e) { /* full */ }
  }
  function isUsed(uid) {
    try { return JSON.parse(localStorage.getItem(USED) || "[]").indexOf(uid) !== -1; } catch (e) { return false; }
  }

  window.surveyQueue = {
    markUsed: markUsed,
    isUsed: isUsed,
    add: function (url, fields) {
      var items = load().filter(function (item) {
        return !item.fields.some(function (pair) {
          return pair[0] === "submission_uid" && fields.some(function (other) {
            return other[0] === "submission_uid" && other[1] === pair[1];
          });
        });
      });
      items.push({ url: url, fields: fields, savedAt: Date.now() });
      return save(items);
    },
    post: post,
    flush: flush,
    busy: busy,
    later: function (response) { later(waitFor(response)); },
    size: function () { return load().length; }
  };

  window.addEventListener("online", flush);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", flush);
  } else {
    flush();
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* the page works without */ });
  }
})();
