// Consulter Dossier: the "Imprimer la page" button (the print stylesheet hides menus and shows the header).
document.addEventListener("click", (event) => {
  if (event.target.closest(".js-print")) {
    window.print();
  }
});
