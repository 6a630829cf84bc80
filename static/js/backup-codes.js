/* "Vos codes de secours": the "Copier les codes" and "Imprimer" buttons need the script, so they are shown by it
 * (without it the page still offers "Télécharger", a plain link). The codes are copied one per line. */
(function () {
  "use strict";

  function init() {
    var copy = document.querySelector("[data-copy]");
    var print = document.querySelector("[data-print]");
    var status = document.getElementById("codes-copies");
    if (copy && navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        var list = document.getElementById(copy.getAttribute("data-copy"));
        var codes = Array.prototype.map.call(list.querySelectorAll("code"), function (code) {
          return code.textContent;
        });
        navigator.clipboard.writeText(codes.join("\n") + "\n").then(
          function () {
            status.textContent = "Les codes sont copiés.";
          },
          function () {
            status.textContent = "La copie a échoué : sélectionnez les codes, ou téléchargez-les.";
          }
        );
      });
    }
    if (print && window.print) {
      print.hidden = false;
      print.addEventListener("click", function () {
        window.print();
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
