"""Public pages: no login needed."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from habilitations.access.decorators import public
from habilitations.selectors import caf_for_postal_code
from portal.forms import PostalCodeForm
from portal.views.documents import DOCUMENTS
from portal.views.guides import GUIDES

SERVICES = [
    (
        "Consulter Dossier",
        "Le service CDAP permet à certains professionnels identifiés de consulter des données allocataire.",
    ),
    (
        "Espace Bailleur",
        "L'Espace Bailleur est accessible aux bailleurs, particuliers ou entreprises, dont le locataire "
        "bénéficie d'une aide personnelle au logement.",
    ),
    (
        "Aide financière d'action sociale",
        "Le service Afas est accessible aux partenaires de l'action sociale et permet "
        "la déclaration de données et la visualisation du montant des aides attribuées par la Caf.",
    ),
    (
        "Adonis",
        "Le service Adonis est proposé aux partenaires d'aide et d'accompagnement à domicile et permet la "
        "déclaration d'activités et la consultation de statistiques.",
    ),
    (
        "Offre DGFIP",
        "Le service Dgfip est proposé aux Directions Départementales des Finances Publiques (Ddfip) et "
        "permet la consultation de données allocataire.",
    ),
]


@public
def accueil(request):
    return render(
        request,
        "portal/public/accueil.html",
        {"services": SERVICES, "postal_form": PostalCodeForm(), "guides": GUIDES.values()},
    )


@public
@require_http_methods(["GET", "POST"])
def ma_caf(request):
    data = request.POST if request.method == "POST" else (request.GET if "code_postal" in request.GET else None)
    form = PostalCodeForm(data)
    caf = None
    if data is not None and form.is_valid():
        caf = caf_for_postal_code(form.cleaned_data["code_postal"])
        if caf is None:
            form.add_error(
                "code_postal",
                "Aucune Caf ne correspond à ce code postal. Vérifiez-le (5 chiffres, par exemple 06000).",
            )
    return render(request, "portal/public/ma_caf.html", {"form": form, "caf": caf, "documents": DOCUMENTS.values()})


@public
def regles_usage(request):
    return render(request, "portal/public/regles_usage.html")


@public
def accessibilite(request):
    return render(request, "portal/public/accessibilite.html")


@public
def informatique_libertes(request):
    return render(request, "portal/public/informatique_libertes.html")


# The online help "Problème de connexion": each answer leads to a question or to the solution.
HELP_TREE = {
    "debut": {
        "question": "Quel est votre problème ?",
        "choices": [
            ("mdp", "J'ai oublié mon mot de passe ou il est refusé"),
            ("identifiant", "Je ne connais pas mon identifiant"),
            ("provisoire", "Mon mot de passe provisoire ne fonctionne pas"),
            ("verrouille", "Mon compte est verrouillé après plusieurs essais"),
            ("clos", "On me dit que mon compte n'est pas ouvert ou est clôturé"),
            ("double_authentification", "J'ai perdu mon téléphone / ma double authentification"),
        ],
    },
    "mdp": {"answer": "mdp"},
    "identifiant": {
        "question": "Êtes-vous administrateur Mon Compte Partenaire de votre organisme ?",
        "choices": [
            ("identifiant_admin", "Oui, je suis administrateur"),
            ("identifiant_user", "Non, je suis utilisateur"),
        ],
    },
    "identifiant_admin": {"answer": "identifiant_admin"},
    "identifiant_user": {"answer": "identifiant_user"},
    "provisoire": {
        "question": "Avez-vous reçu ce mot de passe provisoire il y a plus de 24 heures ?",
        "choices": [
            ("provisoire_expire", "Oui, ou je ne sais pas"),
            ("provisoire_saisie", "Non, je l'ai reçu aujourd'hui"),
        ],
    },
    "provisoire_expire": {"answer": "provisoire_expire"},
    "provisoire_saisie": {"answer": "provisoire_saisie"},
    "verrouille": {"answer": "verrouille"},
    "clos": {"answer": "clos"},
    "double_authentification": {
        "question": "Avez-vous encore un de vos codes de secours ?",
        "choices": [
            ("double_authentification_codes", "Oui, j'ai conservé mes codes de secours"),
            ("double_authentification_perdue", "Non, je n'ai plus ni mon téléphone ni mes codes"),
        ],
    },
    "double_authentification_codes": {"answer": "double_authentification_codes"},
    "double_authentification_perdue": {"answer": "double_authentification_perdue"},
}


@public
def probleme_connexion(request):
    step = request.GET.get("etape", "debut")
    if step not in HELP_TREE:
        step = "debut"
    node = HELP_TREE[step]
    return render(request, "portal/public/probleme_connexion.html", {"node": node, "step": step})
