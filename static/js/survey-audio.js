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
  if (form.getAttribute("data-autoplay") === "1" && "IntersectionObserver" in window) {
    var heard = [];
    document.addEventListener("pointerdown", function () { touched = true; }, true);
    document.addEventListener("keydown", function () { touched = true; }, true);
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting || !touched) return;
        var fieldset = entry.target;
        var audio = fieldset.querySelector(":scope > .speak audio");
        if (!audio || heard.indexOf(audio) !== -1 || fieldset.hidden) return;
        if (players.some(function (a) { return !a.paused; })) return; // never over another
        heard.push(audio);
        var started = audio.play();
        if (started && started.catch) started.catch(function () { /* not allowed yet */ });
      });
    }, { threshold: 0.6 });
    Array.prototype.forEach.call(form.querySelectorAll("fieldset.question"), function (f) {
      observer.observe(f);
    });
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
