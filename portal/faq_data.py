"""The first questions of « Questions / Réponses » (webinar 004:938), written from the guides (000 to 004) and what
this portal does: loaded by the data migration portal 0006 and, in the tests, again after a truncation. The agents
edit them in the admin afterwards; loading adds only the questions not there yet (by their text)."""

from portal.faq_text import search_text

FAQ = [
    # (rubrique, ordre, question, réponse — paragraphs separated by an empty line)
    (
        "CONNEXION",
        10,
        "Comment me connecter à Mon Compte Partenaire ?",
        "Sur la page « Connexion », saisissez votre identifiant et votre mot de passe, puis cliquez sur "
        "« Connexion ». L'identifiant ne tient pas compte des majuscules et des minuscules ; le mot de passe, si.\n\n"
        "À votre première connexion, le mot de passe provisoire reçu par courriel doit être remplacé par un mot de "
        "passe personnel. Les administrateurs activent aussi la double authentification.",
    ),
    (
        "CONNEXION",
        20,
        "Je ne connais pas mon identifiant : que faire ?",
        "Votre identifiant vous a été envoyé par courriel à la création de votre compte : recherchez ce message, y "
        "compris dans vos courriers indésirables.\n\n"
        "Un administrateur doit se rapprocher de la Caf et un utilisateur doit se rapprocher de son administrateur, "
        "qui peut lui renvoyer son identifiant par mail (« Renvoi de l'identifiant par mail »).",
    ),
    (
        "CONNEXION",
        30,
        "Mon compte est verrouillé après plusieurs essais : que faire ?",
        "Par mesure de sécurité, après 5 tentatives de connexion infructueuses, l'identifiant est verrouillé pendant "
        "15 minutes, même avec le bon mot de passe.\n\n"
        "Attendez 15 minutes avant de réessayer, ou demandez un nouveau mot de passe provisoire avec « Mot de passe "
        "oublié ? ». Si vous n'êtes pas à l'origine de ces tentatives, prévenez l'administrateur de votre organisme.",
    ),
    (
        "CONNEXION",
        40,
        "On me dit que mon compte n'est pas ouvert ou qu'il est clôturé",
        "Un compte s'ouvre à sa date d'ouverture et se ferme à sa date de clôture, fixées par l'administrateur de "
        "votre organisme. Rapprochez-vous de lui : il peut modifier ces dates ou vous créer un nouvel accès.\n\n"
        "Un administrateur dont le compte est clôturé s'adresse à sa Caf.",
    ),
    (
        "CONNEXION",
        50,
        "J'ai été déconnecté sans le vouloir",
        "Par mesure de sécurité, vous êtes déconnecté après 30 minutes sans activité, et au plus tard 12 heures après "
        "votre connexion. Deux minutes avant, un message vous propose « Prolonger ma session ».\n\n"
        "Reconnectez-vous : les recherches en cours ne sont pas conservées.",
    ),
    (
        "CONNEXION",
        60,
        "Le site indique « service indisponible »",
        "Il peut s'agir d'une coupure du réseau ou d'une maintenance, souvent ponctuelle et momentanée : nous vous "
        "invitons à vous reconnecter ultérieurement. Les maintenances prévues sont annoncées par un bandeau "
        "d'information.",
    ),
    (
        "MOT_DE_PASSE",
        10,
        "J'ai oublié mon mot de passe",
        "Cliquez sur « Mot de passe oublié ? » sous le champ « Mot de passe », saisissez votre adresse mail et le "
        "texte de l'image (en distinguant les majuscules et les minuscules ; la flèche en propose une autre), puis "
        "« Valider ». Un mot de passe provisoire vous est envoyé par courriel.\n\n"
        "L'adresse mail à renseigner est celle inscrite dans les documents de conventionnement pour les "
        "administrateurs et celle renseignée dans « Mon Compte Partenaire » pour les utilisateurs. Si plusieurs "
        "comptes ont cette adresse, votre identifiant vous est aussi demandé.",
    ),
    (
        "MOT_DE_PASSE",
        20,
        "Mon mot de passe provisoire ne fonctionne pas",
        "Les mots de passe envoyés par courriel sont provisoires : ils doivent être personnalisés dans les 24 heures "
        "suivant leur réception.\n\n"
        "Si le mot de passe n'a pas été personnalisé dans les temps, cliquez sur « Mot de passe oublié ? » : un "
        "nouveau mot de passe provisoire vous est aussitôt envoyé. Copiez-le sans espace avant ni après.",
    ),
    (
        "MOT_DE_PASSE",
        30,
        "Quelles règles mon mot de passe doit-il respecter ?",
        "Entre 8 et 32 caractères, avec au moins une majuscule, une minuscule, un chiffre et un caractère spécial "
        "(les symboles monétaires ne comptent pas).\n\n"
        "Il ne doit contenir ni votre identifiant, ni votre nom, ni votre adresse mail, ne pas être l'un de vos 5 "
        "derniers mots de passe ni un mot de passe trop courant.",
    ),
    (
        "MOT_DE_PASSE",
        40,
        "Comment changer mon mot de passe ?",
        "Dans « Mon profil », choisissez « Modifier le mot de passe », ou cochez « Mettre à jour votre mot de passe » "
        "sur la page de connexion. Un courriel vous confirme le changement et vos autres sessions sont fermées.",
    ),
    (
        "DOUBLE_AUTHENTIFICATION",
        10,
        "Qu'est-ce que la double authentification ?",
        "En plus de votre mot de passe, un code à 6 chiffres donné par une application d'authentification (TOTP) de "
        "votre téléphone vous est demandé. Elle est obligatoire pour les administrateurs partenaires et les agents "
        "des Caf.\n\n"
        "À votre première connexion, scannez le QR code avec l'application (ou saisissez la clé affichée), saisissez "
        "le code, puis conservez les codes de secours affichés une seule fois.",
    ),
    (
        "DOUBLE_AUTHENTIFICATION",
        20,
        "J'ai changé de téléphone ou je n'ai plus mon application",
        "Connectez-vous avec l'un de vos codes de secours à la place du code de l'application : chaque code ne sert "
        "qu'une fois. Dans « Mon profil », générez ensuite de nouveaux codes de secours.\n\n"
        "Sans téléphone ni code de secours, votre Caf réinitialise votre double authentification après avoir vérifié "
        "votre identité ; à la connexion suivante, vous activez une nouvelle application.",
    ),
    (
        "HABILITATIONS",
        10,
        "Qui donne accès aux services de mon organisme ?",
        "La Caf accorde à la convention de votre organisme ses services et ses profils. L'administrateur de votre "
        "organisme crée les utilisateurs et les groupes d'utilisateurs ; chaque groupe est habilité à un profil, et "
        "l'appartenance à un groupe ouvert donne l'accès.\n\n"
        "Un utilisateur ne détient aucun droit en propre : pour un nouvel accès, adressez-vous à votre administrateur "
        "ou au responsable d'habilitations de votre groupe.",
    ),
    (
        "HABILITATIONS",
        20,
        "Pourquoi ne vois-je pas toutes les rubriques d'un dossier dans Consulter Dossier ?",
        "Les rubriques accessibles sont déterminées par le profil attribué au partenaire lors du conventionnement et "
        "par les activités de l'utilisateur (par exemple T1 pour les travailleurs sociaux, T2 pour la consultation "
        "des quotients familiaux). Seules les rubriques ouvertes à votre profil sont affichées.",
    ),
    (
        "HABILITATIONS",
        30,
        "Pourquoi mon habilitation a-t-elle été clôturée ?",
        "L'administrateur est responsable de la bonne utilisation des services : il s'assure que chaque utilisateur "
        "se connecte au moins une fois par an au(x) service(s) auxquels il a été habilité, et clôture les "
        "habilitations qui ne sont plus utilisées. Chaque année, la Caf peut contrôler l'accès et l'utilisation des "
        "services.\n\n"
        "Si vous en avez de nouveau besoin, demandez à votre administrateur de vous ajouter au groupe.",
    ),
    (
        "HABILITATIONS",
        40,
        "Quelle adresse mail pour mon compte ?",
        "Une adresse électronique personnelle : elle ne peut pas être celle d'un autre compte ouvert du portail. "
        "C'est à elle que sont envoyés votre identifiant et vos mots de passe provisoires.",
    ),
    (
        "SERVICES",
        10,
        "Quels services propose Mon Compte Partenaire ?",
        "Consulter Dossier (CDAP) : la consultation des données allocataires, selon le profil du partenaire. "
        "Aides financières d'action sociale (AFAS) : la déclaration des données d'activité et financières pour "
        "percevoir les prestations de service. Adonis : les demandes et interventions d'aide à domicile. "
        "Offre DGFIP : les informations nécessaires aux oppositions à tiers détenteur. Espace Bailleur : les "
        "déclarations des bailleurs (loyer, départ, impayé).\n\n"
        "L'accès à un service est ouvert sous réserve de la complétude et de la signature de la convention d'accès, "
        "du contrat de service, du bulletin d'adhésion à chaque service et, pour Consulter Dossier et AFAS, du "
        "formulaire d'éligibilité.",
    ),
    (
        "SERVICES",
        20,
        "Chaque consultation de dossier est-elle enregistrée ?",
        "Oui. Chaque recherche, rubrique consultée, attestation et message Dialogue est enregistré avec votre "
        "identifiant. Les administrateurs et les superviseurs de votre organisme, ainsi que la Caf, peuvent les "
        "contrôler. N'utilisez les informations consultées que pour les missions prévues par la convention.",
    ),
    (
        "SERVICES",
        30,
        "Un service apparaît sur mon accueil mais je ne peux pas l'utiliser",
        "Seuls les services auxquels votre groupe est habilité aujourd'hui sont affichés. Si un service attendu "
        "n'apparaît pas, ou si un service apparaît sans que vous puissiez l'utiliser, adressez-vous à "
        "l'administrateur de votre organisme.",
    ),
    (
        "CONTACT",
        10,
        "Qui contacter pour une question ?",
        "Pour votre compte, votre identifiant ou vos habilitations : l'administrateur Mon Compte Partenaire de votre "
        "organisme.\n\n"
        "Pour la convention, un service ou si vous êtes administrateur : votre Caf, dont les coordonnées sont dans "
        "« Ma Caf » (avec votre code postal) et, une fois connecté, dans l'encadré « BESOIN D'AIDE ? ».",
    ),
    (
        "CONTACT",
        20,
        "Quelle est la Caf référente de mon organisme ?",
        "La Caf référente d'un partenaire est la Caf du département où se situe le siège social de la structure. "
        "Pour les partenaires ayant une activité sur plusieurs départements, la Caf référente est la Caf des "
        "Yvelines.",
    ),
    (
        "CONTACT",
        30,
        "L'administrateur de notre organisme change",
        "Votre profil d'administrateur est nominatif : l'administrateur signale le changement à la Caf avec "
        "« Signaler un changement d'administrateur » (encadré « BESOIN D'AIDE ? »). La Caf établit un avenant à la "
        "convention, puis nomme le nouvel administrateur.",
    ),
]


def load_faq(FaqEntry) -> None:
    """Add the questions of FAQ not there yet (`FaqEntry`: the model, or the migration's historical one)."""
    existing = set(FaqEntry.objects.values_list("question", flat=True))
    FaqEntry.objects.bulk_create(
        FaqEntry(
            rubrique=rubrique,
            ordre=ordre,
            question=question,
            reponse=reponse,
            publiee=True,
            recherche=search_text(question, reponse),
        )
        for rubrique, ordre, question, reponse in FAQ
        if question not in existing
    )
