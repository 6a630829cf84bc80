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

// After a search, focus goes to its result: the dossier's heading (the error summary of a refused search is focused by
// portal.js). The flag lives for one page load in this tab only; nothing of the search is stored.
const searchForm = document.querySelector(".js-cdap-search");
if (searchForm) {
  searchForm.addEventListener("submit", () => sessionStorage.setItem("cdap-resultat", "1"));
}
if (sessionStorage.getItem("cdap-resultat")) {
  sessionStorage.removeItem("cdap-resultat");
  const result = document.getElementById("cdap-resultat");
  if (result) {
    result.focus();
  }
}
