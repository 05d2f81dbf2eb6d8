// Improves the survey form; the form works without it.
// - show_if: hides the questions whose condition is not met, live (the server decides anyway).
// - progress: on long surveys, how many of the shown questions have an answer.
(function () {
  "use strict";
  var form = document.querySelector("form.survey-form");
  if (!form) return;
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));

  function answerOf(code) {
    var inputs = form.querySelectorAll('[name="q_' + code + '"]');
    var values = [];
    Array.prototype.forEach.call(inputs, function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) values.push(input.value);
      } else if (input.value.trim() !== "") {
        values.push(input.value.trim());
      }
    });
    return values;
  }

  function applyShowIf() {
    var shown = {};
    questions.forEach(function (fieldset) {
      var code = fieldset.getAttribute("data-code");
      var rule = fieldset.getAttribute("data-show-if");
      var visible = true;
      if (rule) {
        rule = JSON.parse(rule);
        var accepted = rule["in"].map(String);
        visible = !!shown[rule.question] && answerOf(rule.question).some(function (v) {
          return accepted.indexOf(v) !== -1;
        });
        var when = fieldset.querySelector(".q-when");
        if (when) when.hidden = true; // the live form needs no written condition
      }
      fieldset.hidden = !visible;
      shown[code] = visible;
    });
  }

  // The numbers follow what is shown: "Question 3 of 9" counts the questions on screen, as
  // the progress does, so no number is skipped when a question stays hidden.
  var numText = form.getAttribute("data-num-text");
  function renumber() {
    if (!numText) return;
    var visible = questions.filter(function (f) { return !f.hidden; });
    visible.forEach(function (fieldset, index) {
      var num = fieldset.querySelector(".q-num");
      if (num) {
        num.textContent = numText.replace("{n}", index + 1).replace("{total}", visible.length);
      }
    });
  }

  var progress = document.querySelector(".progress");
  function updateProgress() {
    if (!progress) return;
    var visible = questions.filter(function (f) { return !f.hidden; });
    var done = visible.filter(function (f) { return answerOf(f.getAttribute("data-code")).length > 0; });
    progress.hidden = false;
    progress.querySelector(".progress-bar span").style.width =
      (visible.length ? Math.round(100 * done.length / visible.length) : 0) + "%";
    progress.querySelector(".progress-text").textContent = progress.getAttribute("data-text")
      .replace("{done}", done.length).replace("{total}", visible.length);
  }

  function refresh() { applyShowIf(); renumber(); updateProgress(); }
  form.addEventListener("change", refresh);
  form.addEventListener("input", updateProgress);
  refresh();

  // A refused send: bring the list of what to fix into view (the page may have been written
  // in place by the script below, where the address's fragment does not scroll it).
  var summary = document.getElementById("form-errors");
  if (summary) {
    summary.scrollIntoView();
    summary.focus({ preventScroll: true });
  }

  // --- sending, with the offline queue -------------------------------------------------
  var queue = window.surveyQueue;
  var uidInput = form.querySelector('input[name="submission_uid"]');
  function newUid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  // A page kept by the phone may carry a uid already sent: each person gets a fresh one.
  if (queue && uidInput && queue.isUsed(uidInput.value)) uidInput.value = newUid();

  var status = form.querySelector(".offline-status");
  function fields() {
    var pairs = [];
    new FormData(form).forEach(function (value, name) { pairs.push([name, String(value)]); });
    return pairs;
  }
  function showPage(html) {
    document.open();
    document.write(html);
    document.close();
  }
  var sending = false;
  form.addEventListener("submit", function (event) {
    if (!queue || !window.fetch) return; // plain form submission
    event.preventDefault();
    if (sending) return;
    sending = true;
    var url = form.action.split("#")[0]; // this page's own address (the fragment is for the eyes)
    var pairs = fields();
    // Keep the answers on the phone, to be sent by the queue; false when the phone cannot.
    function keep(text) {
      if (!queue.add(url, pairs)) return false;
      queue.markUsed(uidInput.value);
      status.textContent = text;
      Array.prototype.forEach.call(form.elements, function (el) { el.disabled = true; });
      return true;
    }
    queue.post(url, pairs).then(function (response) {
      if (response.ok && response.redirected) {
        queue.markUsed(uidInput.value);
        window.location.assign(response.url);
        return;
      }
      if (queue.busy(response) && keep(form.getAttribute("data-busy-text"))) {
        queue.later(response); // the server said when to come back
        return;
      }
      return response.text().then(showPage); // the server's page: errors, or the answers back
    }, function () {
      // No network (or no answer in time): keep the answers on the phone.
      if (!keep(form.getAttribute("data-saved-text"))) {
        status.textContent = form.getAttribute("data-unsaved-text");
      }
    }).then(function () { sending = false; }, function () { sending = false; });
  });
})();
