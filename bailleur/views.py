"""Espace Bailleur: the landlords' home, « Mes locataires » and a tenant's page. Every view:
@service_required("BAILLEUR"); every tenancy is read through bailleur.selectors, scoped to the landlord's organisms
(another landlord's answers 404)."""

from django.shortcuts import render
from django.urls import reverse

from bailleur import selectors
from bailleur.forms import PaymentFilterForm, TenancyFilterForm
from cdap.selectors import aid_label
from core.exports import DATE, DECIMAL, Column, Export
from core.pagination import paginate
from habilitations.access.decorators import service_required
from habilitations.journal import journal_write

PAYMENTS_EXPORT_EVENT = "export.bailleur_paiements"

# What a landlord declares to the Caf (webinar 004's list, in its order). Not online yet: each tile says so, and the
# home points to « Contacter la Caf » meanwhile.
DECLARATIONS = [
    ("Déclarer le montant du loyer de juillet", "Le loyer de juillet de vos locataires, charges à part."),
    ("Signaler le départ ou le déménagement d'un locataire", "La date du départ et, si vous la connaissez, la "
     "nouvelle adresse."),
    ("Déclarer une modification du nombre de colocataires", "Le nouveau nombre de colocataires et sa date."),
    ("Signaler un impayé de loyer", "Le montant dû, les mois impayés et la date du premier loyer impayé."),
    ("Déclarer une fin de gestion du logement", "La date à laquelle vous cessez de gérer le logement."),
]  # fmt: skip
CONSULT = [
    ("Mes locataires", "Vos locataires bénéficiaires d'une aide personnelle au logement.", "bailleur:locataires"),
    ("Paiements", "Le détail des paiements mensuels, si la Caf vous verse l'aide directement.", "bailleur:paiements"),
    ("Suivi des déclarations", "L'état de vos déclarations : transmise, en cours de traitement, traitée.", None),
    ("Statistiques", "Vos locataires et l'aide versée chaque mois, en graphiques et en tableaux.", None),
]
HELP = [
    ("Fiches pratiques et foire aux questions", "Les réponses aux questions fréquentes.", "portal:faq"),
    ("Contacter la Caf", "Écrire à votre Caf, si besoin : elle vous répond par courriel.", "portal:caf_contact"),
    ("Mon profil", "Votre adresse mail, votre téléphone et votre mot de passe.", "portal:profile"),
]
ANCHORS = {"portal:faq": "#rubrique-services"}  # the FAQ's rubrique of the services


def _tiles(entries) -> list[dict]:
    """(title, text, URL name or None: not online yet) → what templates/bailleur/_tile.html shows."""
    return [
        {"title": title, "text": text, "url": reverse(name) + ANCHORS.get(name, "") if name else None}
        for title, text, name in entries
    ]


@service_required(selectors.SERVICE)
def accueil(request):
    """The landlords' home (webinar 004, « ESPACE BAILLEUR »): what to declare, what to consult, where to find help.
    No query of its own."""
    context = {
        "declarations": _tiles((title, text, None) for title, text in DECLARATIONS),
        "consult": _tiles(CONSULT),
        "help": _tiles(HELP),
    }
    return render(request, "bailleur/accueil.html", context)


@service_required(selectors.SERVICE)
def locataires(request):
    """The tenants receiving AL or APL, filtered, paginated; a constant number of queries."""
    form = TenancyFilterForm(request.GET or None)
    page = paginate(request, selectors.tenancies(request.access, **form.filters()))
    for tenancy in page:
        tenancy.aide_libelle = aid_label(tenancy.aide_code)
    return render(request, "bailleur/locataires.html", {"form": form, "page": page})


@service_required(selectors.SERVICE)
def locataire(request, housing_id: int):
    tenancy = selectors.tenancy(request.access, housing_id)
    tenancy.aide_libelle = aid_label(tenancy.aide_code)
    return render(request, "bailleur/locataire.html", {"tenancy": tenancy})


# « Paiements » for a spreadsheet ("extraire des données"): one row per payment, French headers, amounts and dates
# typed in the XLSX, French formats in the CSV; every text cell neutralised by core.exports.
PAYMENTS_EXPORT = Export(
    (
        Column("Mois", lambda p: f"{p.periode:%m/%Y}"),
        Column("Numéro allocataire", "dossier.numero"),
        Column("Civilité", "locataire_civilite"),
        Column("Nom du locataire", lambda p: (p.locataire_nom or "").upper()),
        Column("Prénom du locataire", "locataire_prenom"),
        Column("Adresse du logement", "dossier.adresse"),
        Column("Code postal", "dossier.code_postal"),
        Column("Commune", "dossier.commune"),
        Column("Montant versé", "montant_paye", DECIMAL),
        Column("Date de paiement", "date_emission", DATE),
    ),
    sheet_title="Paiements",
)


def _payment_filters(request):
    form = PaymentFilterForm(request.GET or None, months=selectors.payment_months(request.access))
    return form, form.filters()


@service_required(selectors.SERVICE)
def paiements(request):
    """When the Caf pays the aid to the landlord (tiers payant): the totals per month and the detail per tenant,
    filtered, paginated; a constant number of queries."""
    form, filters = _payment_filters(request)
    page = paginate(request, selectors.payments(request.access, **filters))
    exports = [
        ("Exporter les paiements (CSV)", reverse("bailleur:paiements_export")),
        ("Exporter les paiements (XLSX)", reverse("bailleur:paiements_export_xlsx")),
    ]
    context = {
        "form": form,
        "page": page,
        "totals": selectors.payment_totals(request.access, **filters),
        "exports": exports,
    }
    return render(request, "bailleur/paiements.html", context)


@service_required(selectors.SERVICE)
def paiements_export(request, file_format: str = "csv"):
    """The filtered payments, streamed as CSV (Excel: UTF-8 with BOM, ';') or XLSX; the export is journaled."""
    form, filters = _payment_filters(request)
    journal_write(
        PAYMENTS_EXPORT_EVENT,
        request=request,
        user=request.user,
        organism=request.user.organism,
        organisms=sorted(selectors.landlord_organism_ids(request.access)),
        filters={key: str(value) for key, value in filters.items()},
    )
    basename = f"paiements-{request.access.day:%Y-%m-%d}"
    return PAYMENTS_EXPORT.response(file_format, basename, selectors.payments(request.access, **filters))
