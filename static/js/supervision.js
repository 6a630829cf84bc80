/* SUPERVISION CONSULTER DOSSIER: the chart of the consultations per month. Its data is the table beside it
   (json_script "donnees-graphique"); without JavaScript or Chart.js the table alone says everything. */
(function () {
  "use strict";
  var figure = document.getElementById("graphique");
  var canvas = document.getElementById("graphique-mensuel");
  var source = document.getElementById("donnees-graphique");
  if (!figure || !canvas || !source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  figure.hidden = false;
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: "Consultations", data: data.values, backgroundColor: "#0b4f8a" }]
    },
    options: {
      animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
    }
  });
})();
