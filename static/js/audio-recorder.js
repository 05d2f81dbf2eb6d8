// The builder's audio page: record a text from the microphone beside each upload form, listen,
// and keep it (sent as the form's file). The page works without this script: each form uploads
// a file. Browsers without MediaRecorder see the forms only.
(function () {
  "use strict";
  var sheet = document.querySelector(".audio-sheet");
  if (!sheet || !window.MediaRecorder || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia || !window.fetch || !window.FormData) return;
  function text(name) { return sheet.getAttribute("data-" + name + "-text") || ""; }

  // What this browser records: Opus in WebM (Chrome, Firefox, Android), else AAC in MP4 (Safari).
  var TYPES = [["audio/webm;codecs=opus", "webm"], ["audio/webm", "webm"], ["audio/mp4", "m4a"],
               ["audio/ogg;codecs=opus", "ogg"]];
  var chosen = TYPES.filter(function (t) {
    return MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(t[0]);
  })[0] || ["", "webm"];

  function button(label, className) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className || "link";
    b.textContent = label;
    return b;
  }

  function send(form, blob) {
    var data = new FormData(form);
    data.set("file", blob, "recording." + chosen[1]);
    // Kept: the server redirects to the page, which then says so (its message is read by the
    // page's next load, so the redirect is not followed here).
    return fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin", redirect: "manual"
    }).then(function (response) {
        if (response.type === "opaqueredirect") {
          var target = form.querySelector('input[name="target"]');
          if (target) window.location.hash = target.value;
          window.location.reload();
          return;
        }
        return response.text().then(function (html) {
          document.open();
          document.write(html);
          document.close();
        });
      });
  }

  Array.prototype.forEach.call(sheet.querySelectorAll("form.audio-upload"), function (form) {
    var box = document.createElement("div");
    box.className = "recorder";
    var record = button(text("record"), "primary");
    var status = document.createElement("span");
    status.setAttribute("role", "status");
    var preview = document.createElement("audio");
    preview.controls = true;
    preview.hidden = true;
    var keep = button(text("keep"), "primary");
    keep.hidden = true;
    box.appendChild(record);
    box.appendChild(status);
    box.appendChild(preview);
    box.appendChild(keep);
    form.parentNode.insertBefore(box, form.nextSibling);

    var recorder = null;
    var recorded = null;
    record.addEventListener("click", function () {
      if (recorder && recorder.state === "recording") {
        recorder.stop();
        return;
      }
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var parts = [];
        recorder = chosen[0] ? new MediaRecorder(stream, { mimeType: chosen[0] })
                             : new MediaRecorder(stream);
        recorder.addEventListener("dataavailable", function (e) {
          if (e.data && e.data.size) parts.push(e.data);
          box.setAttribute("data-parts", String(parts.length)); // how far it got (for tests)
        });
        recorder.addEventListener("stop", function () {
          stream.getTracks().forEach(function (track) { track.stop(); });
          recorded = new Blob(parts, { type: recorder.mimeType || chosen[0] || "audio/webm" });
          if (preview.src) URL.revokeObjectURL(preview.src);
          preview.src = URL.createObjectURL(recorded);
          preview.hidden = false;
          keep.hidden = false;
          status.textContent = "";
          record.textContent = text("again");
        });
        recorder.start(250); // a part every quarter second
        status.textContent = text("recording");
        record.textContent = text("stop");
        keep.hidden = true;
      }, function () {
        status.textContent = text("failed");
      });
    });
    keep.addEventListener("click", function () {
      if (!recorded) return;
      keep.disabled = true;
      status.textContent = text("sending");
      send(form, recorded).catch(function () {
        keep.disabled = false;
        status.textContent = text("failed");
      });
    });
  });
})();
