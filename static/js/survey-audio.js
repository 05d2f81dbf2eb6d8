// The recordings of a survey's texts: each browser player (<audio controls>, which works
// without this script) becomes one big play button; one plays at a time. With the survey's
// "play by itself" setting, a question's recording starts when the question comes into view,
// once the person has pressed play or touched the page (browsers allow sound only then).
// The phone's service worker is asked to keep every recording of the page, so they play
// with no connection after a first visit.
(function () {
  "use strict";
  var form = document.querySelector("form.survey-form");
  var players = Array.prototype.slice.call(document.querySelectorAll(".speak audio"));
  if (!form || !players.length) return;
  var playText = form.getAttribute("data-play-text") || "Listen";
  var stopText = form.getAttribute("data-stop-text") || "Stop";
  var touched = false;

  function stopOthers(current) {
    players.forEach(function (audio) {
      if (audio !== current && !audio.paused) audio.pause();
    });
  }

  players.forEach(function (audio) {
    var holder = audio.parentNode;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "speak-button";
    var label = audio.getAttribute("aria-label") || playText;
    button.setAttribute("aria-label", label);
    button.title = playText;
    var icon = document.createElement("span");
    icon.className = "speak-icon";
    icon.setAttribute("aria-hidden", "true");
    button.appendChild(icon);
    audio.controls = false;
    audio.hidden = true;
    holder.appendChild(button);
    function show(playing) {
      button.classList.toggle("playing", playing);
      button.setAttribute("aria-label", playing ? stopText : label);
      button.setAttribute("aria-pressed", playing ? "true" : "false");
    }
    audio.addEventListener("play", function () { stopOthers(audio); show(true); });
    audio.addEventListener("pause", function () { show(false); });
    audio.addEventListener("ended", function () { show(false); audio.currentTime = 0; });
    button.addEventListener("click", function () {
      touched = true;
      if (audio.paused) {
        stopOthers(audio);
        var started = audio.play();
        if (started && started.catch) started.catch(function () { show(false); });
      } else {
        audio.pause();
      }
    });
  });

  // --- playing by itself as a question comes into view -----------------------------------
  // After the first touch: a question's recording starts when the question is (mostly) in
  // view, never over another, each once; when one ends, the next question in view speaks.
  if (form.getAttribute("data-autoplay") === "1" && "IntersectionObserver" in window) {
    var fieldsets = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
    var inView = [];
    var heard = [];
    var own = function (fieldset) { return fieldset.querySelector(":scope > .speak audio"); };
    var next = function () {
      if (!touched || players.some(function (a) { return !a.paused; })) return;
      for (var i = 0; i < fieldsets.length; i++) {
        var audio = own(fieldsets[i]);
        if (!audio || fieldsets[i].hidden || inView.indexOf(fieldsets[i]) === -1 ||
            heard.indexOf(audio) !== -1) continue;
        heard.push(audio);
        var started = audio.play();
        if (started && started.catch) started.catch(function () { /* not allowed yet */ });
        return;
      }
    };
    var touch = function () { touched = true; };
    document.addEventListener("pointerdown", touch, true);
    document.addEventListener("keydown", touch, true);
    players.forEach(function (audio) {
      audio.addEventListener("play", function () {
        if (heard.indexOf(audio) === -1) heard.push(audio);
      });
      audio.addEventListener("ended", next);
    });
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        var at = inView.indexOf(entry.target);
        // Mostly in view: half of it, or half the screen for a question taller than that.
        var seen = entry.isIntersecting && (entry.intersectionRatio >= 0.5 ||
          entry.intersectionRect.height >= 0.5 * window.innerHeight);
        if (seen && at === -1) inView.push(entry.target);
        if (!seen && at !== -1) inView.splice(at, 1);
      });
      next();
    }, { threshold: [0, 0.25, 0.5, 0.75, 1] });
    fieldsets.forEach(function (f) { observer.observe(f); });
  }

  // --- kept on the phone ------------------------------------------------------------------
  if ("serviceWorker" in navigator) {
    var urls = players.map(function (audio) { return audio.getAttribute("src"); });
    var assets = Array.prototype.map.call(
      document.querySelectorAll("script[src], link[rel=stylesheet]"),
      function (el) { return el.src || el.href; });
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) {
        registration.active.postMessage({
          keepAudio: urls, keepAssets: assets, keepPage: window.location.href.split("#")[0]
        });
      }
    }).catch(function () { /* the page works without */ });
  }
})();
