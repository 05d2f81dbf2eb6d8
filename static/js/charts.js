/* Draws the dashboards' charts with Chart.js from the JSON beside each canvas.
 * Each chart has a table with the same numbers next to it, so a page without this script
 * (or without Chart.js, where each chart says so) loses nothing but the picture. Kinds:
 *   line      {labels, datasets: [{label, data}]}, y from 0 to 100
 *   bars      {labels, datasets}: grouped bars, one group per label
 *   interval  {rows: [{label, value, low, high}], target}: value as a dot, its interval as a bar
 *   stacked   {labels, datasets}: horizontal bars of shares (percent) stacked to 100
 *   days      {labels, datasets}: counts per day, as vertical bars
 *   months    {labels, datasets}: counts per month, grouped vertical bars with their legend
 */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    // Chart.js did not load (the CDN unreachable from an office without Internet): an empty
    // box would look like missing data, so each chart says why it is not drawn instead.
    Array.prototype.forEach.call(document.querySelectorAll("figure.chart"), function (figure) {
      var box = figure.querySelector(".chart-box");
      var note = figure.querySelector(".chart-unavailable");
      if (box && note) {
        box.hidden = true;
        note.hidden = false;
      }
    });
    return;
  }
  var PALETTE = ["#1f5f8b", "#c0392b", "#2d6a2d", "#b58900", "#6c3483", "#117a65", "#7f8c8d"];
  // 1 (worst) to 5 (best): red to green, readable in grey when printed.
  var LIKERT = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"];

  function axisTitle(text) {
    return text ? { display: true, text: text } : { display: false };
  }

  function coloured(datasets, colours) {
    return datasets.map(function (ds, i) {
      var colour = colours[i % colours.length];
      return Object.assign({}, ds, { backgroundColor: colour, borderColor: colour });
    });
  }

  var BUILD = {
    line: function (spec, canvas) {
      return {
        type: "line",
        data: { labels: spec.labels, datasets: coloured(spec.datasets, PALETTE) },
        options: {
          spanGaps: true,
          scales: { y: { min: 0, max: 100, title: axisTitle(canvas.dataset.yTitle) } },
        },
      };
    },
    bars: function (spec, canvas) {
      return {
        type: "bar",
        data: { labels: spec.labels, datasets: coloured(spec.datasets, PALETTE) },
        options: {
          indexAxis: "y",
          plugins: { legend: { display: spec.datasets.length > 1 } },
          scales: { x: { min: 0, suggestedMax: 100, title: axisTitle(canvas.dataset.yTitle) } },
        },
      };
    },
    interval: function (spec, canvas) {
      var labels = spec.rows.map(function (r) { return r.label; });
      var highest = Math.max.apply(null, spec.rows.map(function (r) {
        return Math.max(r.value, r.high === null ? 0 : r.high);
      }).concat([spec.target * 1.2]));
      return {
        type: "bar",
        data: {
          labels: labels,
          datasets: [
            {
              label: canvas.dataset.intervalLabel || "95%",
              data: spec.rows.map(function (r) { return r.low === null ? null : [r.low, r.high]; }),
              backgroundColor: "rgba(31, 95, 139, 0.25)",
              borderColor: "#1f5f8b",
              borderWidth: 1,
              barPercentage: 0.5,
            },
            {
              type: "line",
              label: canvas.dataset.valueLabel || "",
              data: spec.rows.map(function (r) { return r.value; }),
              showLine: false,
              pointRadius: 5,
              pointStyle: "rectRot",
              backgroundColor: "#1f5f8b",
              borderColor: "#1f5f8b",
            },
          ],
        },
        options: {
          indexAxis: "y",
          plugins: { legend: { display: false } },
          scales: {
            x: { min: 0, suggestedMax: Math.ceil(highest / 10) * 10, title: axisTitle(canvas.dataset.xTitle) },
          },
        },
      };
    },
    days: function (spec, canvas) {
      return {
        type: "bar",
        data: { labels: spec.labels, datasets: coloured(spec.datasets, PALETTE) },
        options: {
          plugins: { legend: { display: false } },
          scales: { y: { beginAtZero: true, title: axisTitle(canvas.dataset.yTitle) } },
        },
      };
    },
    months: function (spec, canvas) {
      return {
        type: "bar",
        data: { labels: spec.labels, datasets: coloured(spec.datasets, PALETTE) },
        options: {
          scales: {
            y: { beginAtZero: true, ticks: { precision: 0 }, title: axisTitle(canvas.dataset.yTitle) },
          },
        },
      };
    },
    stacked: function (spec, canvas) {
      return {
        type: "bar",
        data: { labels: spec.labels, datasets: coloured(spec.datasets, LIKERT) },
        options: {
          indexAxis: "y",
          scales: {
            x: { stacked: true, min: 0, max: 100, title: axisTitle(canvas.dataset.xTitle) },
            y: { stacked: true },
          },
        },
      };
    },
  };

  // Long criterion and question names are cut on a phone; the table beside has them whole.
  function shortLabels(canvas) {
    var room = canvas.parentNode.clientWidth < 520 ? 16 : 48;
    return {
      autoSkip: false,
      callback: function (value) {
        var label = String(this.getLabelForValue(value));
        return label.length > room ? label.slice(0, room - 1) + "\u2026" : label;
      },
    };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    var build = BUILD[canvas.dataset.kind];
    if (!source || !build) {
      return;
    }
    var config = build(JSON.parse(source.textContent), canvas);
    if (config.options.indexAxis === "y") {
      config.options.scales.y = Object.assign({}, config.options.scales.y, {
        ticks: shortLabels(canvas),
      });
    }
    config.options = Object.assign(
      { responsive: true, maintainAspectRatio: false, animation: false },
      config.options
    );
    new window.Chart(canvas, config);
  }

  Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);

  // Charts drawn for the screen are resized to the paper before printing.
  window.addEventListener("beforeprint", function () {
    Object.values(window.Chart.instances).forEach(function (chart) { chart.resize(); });
  });
})();
