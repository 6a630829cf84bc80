"""Consulter Dossier's "Aide en ligne" (webinar 004:446–453): "Fonctionnalités générales", "Présentation des
rubriques" and one help page per rubric, the attestation de paiement and Dialogue included. The pages show no dossier
data; a rubric's help is there only for a user one of whose CDAP profiles opens it (`rubric_help_required` answers
404 otherwise, as for a rubric that does not exist), and the lists link only those — the synthèse's help too
describes only the blocks of the rubrics the user's profiles open."""

from django.shortcuts import render
from django.urls import reverse

from cdap.selectors import REFUSAL_MESSAGE
from cdap.services import DIALOGUE_CONSULTED_WITHIN
from habilitations.access.decorators import rubric_help_required, service_required
from habilitations.access.rubrics import RUBRIC_LABELS, rubrics_open_to

DIALOGUE = "dialogue"

# "Présentation des rubriques": one sentence per help page, from the guide's screens.
INTRODUCTIONS = {
    "synthese": "l'essentiel du dossier sur une page : « VOTRE RECHERCHE », puis un résumé de chaque rubrique.",
    "dossier": "la situation du dossier, la situation familiale, les personnes à charge, le QF CNAF, les "
    "nationalités et le surendettement.",
    "paiements": "les paiements émis, un à la fois ou par période, avec le détail par prestation.",
    "droits": "les droits du dossier à une date, prestation par prestation.",
    "famille": "le responsable du dossier, son conjoint, les enfants et les autres personnes à charge.",
    "ressources": "les ressources annuelles par nature et par personne, et les ressources Aide au logement.",
    "rsa": "les droits au RSA, leurs dates, l'orientation et le service instructeur.",
    "courriers": "les courriers et messages reçus par la Caf et leur état de traitement.",
    "logement": "le logement, le loyer, le bail, le surpeuplement et la quittance de loyer.",
    "creances": "les sommes que l'allocataire doit à la Caf et ce qui en reste dû.",
    "donnees_complementaires": "les enfants bénéficiaires de l'AEEH et les autres personnes à charge.",
    "cmu_cmuc_rsa": "les couvertures CMU, CMUC et RSA du dossier.",
    "cmuc_ressources": "les ressources prises en compte pour la CMUC.",
    "attestation_paiement": "l'attestation de paiement du dernier mois payé, à télécharger ou à envoyer par courrier.",
    DIALOGUE: "écrire à la Caf, au sujet d'un dossier consulté ou non.",
}
# The synthèse's help: what each rubric's block on the synthèse shows (only the rubrics the user's profiles open).
SYNTHESE_BLOCKS = {
    "dossier": "la situation du dossier, la situation familiale et « Pas de surendettement en cours » (ou "
    "« Surendettement en cours »)",
    "paiements": "les derniers paiements : État (« Émis le 25/01/2022 »), Type de traitement, Période, Montant payé, "
    "Destinataire",
    "droits": "les droits du dernier mois connu, prestation par prestation",
    "famille": "le responsable du dossier et son conjoint avec leur activité, puis les enfants",
    "ressources": "les ressources de la dernière année connue et leur total",
    "rsa": "le dernier droit au RSA, ses dates et l'orientation",
    "courriers": "« Courriers de novembre 2021 à janvier 2022 » : les courriers des trois derniers mois",
    "logement": "le type d'occupation, le bailleur et « Montant du loyer … Quittance présente »",
    "creances": "les créances en cours et le reste dû, ou « Aucune créance en cours. »",
    "donnees_complementaires": "les données complémentaires du dossier",
    "cmu_cmuc_rsa": "les couvertures CMU, CMUC et RSA",
    "cmuc_ressources": "les ressources prises en compte pour la CMUC",
}


def help_topics(access) -> list[tuple[str, str, str, str]]:
    """(code, label, url, introduction) of the help pages this user may read: the rubrics one of their CDAP profiles
    opens, in the tabs' order, then Dialogue (open to every CDAP user)."""
    codes = rubrics_open_to(grant.profile for grant in access.grants_for("CDAP"))
    topics = [(code, RUBRIC_LABELS[code], reverse("cdap:aide_rubrique", args=[code])) for code in codes]
    topics.append((DIALOGUE, "Dialogue", reverse("cdap:aide_dialogue")))
    return [(code, label, url, INTRODUCTIONS[code]) for code, label, url in topics]


def _render(request, template: str, *, current: str, label: str, **context):
    context = {"help_topics": help_topics(request.access), "help_current": current, "help_label": label, **context}
    return render(request, template, context)


@service_required("CDAP")
def help_index(request):
    """ "Aide en ligne": the general features, then "Présentation des rubriques", the list of the help pages."""
    return _render(request, "cdap/aide/index.html", current="", label="", refusal_message=REFUSAL_MESSAGE)


@rubric_help_required
def help_rubric(request, rubric):
    context = {}
    if rubric == "synthese":
        codes = [code for code, *_ in help_topics(request.access)]
        context["blocks"] = [(RUBRIC_LABELS[code], SYNTHESE_BLOCKS[code]) for code in codes if code in SYNTHESE_BLOCKS]
    label = RUBRIC_LABELS[rubric]
    return _render(request, f"cdap/aide/rubriques/{rubric}.html", current=rubric, label=label, **context)


@service_required("CDAP")
def help_dialogue(request):
    return _render(
        request,
        "cdap/aide/rubriques/dialogue.html",
        current=DIALOGUE,
        label="Dialogue",
        consulted_within=DIALOGUE_CONSULTED_WITHIN.days,
    )
