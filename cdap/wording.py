"""French agreement of the Caf's labels with what the portal knows of the person."""

# The Caf's activity labels are masculine; the feminine of those that change (the guide's "Activité : Salariée").
FEMININE_ACTIVITIES = {
    "Salarié": "Salariée",
    "Retraité": "Retraitée",
    "Demandeur d'emploi": "Demandeuse d'emploi",
    "Travailleur indépendant": "Travailleuse indépendante",
    "Étudiant": "Étudiante",
    "Apprenti": "Apprentie",
}


def activity_for(activite: str, civilite: str) -> str:
    """The activity agreed with the person's known civility: "Salarié" for "Mme" reads "Salariée"; a label
    without a feminine here, or an unknown civility, is left as the Caf wrote it."""
    if civilite == "Mme":
        return FEMININE_ACTIVITIES.get(activite, activite)
    return activite
