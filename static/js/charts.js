/* The charts of components/chart.html: each figure[data-chart] names the json_script that holds its data (the same
   as the table beside it). Without JavaScript or Chart.js the table alone says everything; the canvas stays hidden.
   Loaded once per chart on the page: a figure is drawn once. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var figures = document.querySelectorAll("figure[data-chart]");
  Array.prototype.forEach.call(figures, function (figure) {
    var source = document.getElementById(figure.getAttribute("data-chart"));
    var holder = figure.querySelector(".chart-canvas");
    var canvas = holder && holder.querySelector("canvas");
    if (!source || !canvas || figure.getAttribute("data-drawn")) {
      return;
    }
    figure.setAttribute("data-drawn", "1");
    var data = JSON.parse(source.textContent);
    holder.hidden = false;
    new window.Chart(canvas, {
      type: data.kind,
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series) {
          return { label: series.label, data: series.values, backgroundColor: series.colour, borderColor: series.colour };
        })
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: data.series.length > 1 } },
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: !!data.unit, text: data.unit } }
        }
      }
    });
  });
})();
