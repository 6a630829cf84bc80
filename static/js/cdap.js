// Consulter Dossier: the "Imprimer la page" button (the print stylesheet hides menus and shows the header).
document.addEventListener("click", (event) => {
  if (event.target.closest(".js-print")) {
    window.print();
  }
});

// "VOTRE RECHERCHE" is open on a wide screen; on a phone it starts folded, so the rubric's data comes first.
const identity = document.querySelector(".cdap-identity");
if (identity && window.matchMedia("(max-width: 40rem)").matches) {
  identity.open = false;
}
