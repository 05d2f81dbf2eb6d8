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

  function refresh() { applyShowIf(); updateProgress(); }
  form.addEventListener("change", refresh);
  form.addEventListener("input", updateProgress);
  refresh();
})();
