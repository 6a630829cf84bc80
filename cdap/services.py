"""Writes of Consulter Dossier: each in a transaction with its journal row (keys documented in
habilitations.journal: profile, caf, dossier, rubric, outcome, reason, mode)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cdap.models import Consultation, DialogueMessage, Dossier, PostalRequest
from core.mail.kinds import register_email_kind
from core.mail.queue import email_queue
from core.ratelimit import hourly_limit_exceeded
from habilitations.journal import Event, journal_write


def search_refused(*, request, organism_id: int | None, profile: str, caf_code: str, numero: str, reason: str):
    """Journal a refused search (the user sees only the neutral message)."""
    journal_write(
        Event.CDAP_SEARCH,
        request=request,
        user=request.user,
        organism=_organism(organism_id),
        profile=profile,
        caf=caf_code,
        dossier=numero[:7],
        outcome="refused",
        reason=reason,
    )


def _organism(organism_id):
    from habilitations.models import Organism

    return Organism(pk=organism_id) if organism_id else None


@transaction.atomic
def consultation_create(*, request, dossier: Dossier, profile: str, organism_id: int) -> Consultation:
    """Open a consultation (opaque reference) of `dossier` with `profile`, and journal the successful search."""
    consultation = Consultation.objects.create(
        user=request.user, dossier=dossier, profile_code=profile, organism_id=organism_id
    )
    journal_write(
        Event.CDAP_SEARCH,
        request=request,
        user=request.user,
        organism=_organism(organism_id),
        profile=profile,
        caf=dossier.caf.code,
        dossier=dossier.numero,
        outcome="found",
    )
    return consultation


def rubric_journal(*, request, consultation: Consultation, rubric: str, refused: bool = False) -> None:
    journal_write(
        Event.CDAP_RUBRIC_REFUSED if refused else Event.CDAP_RUBRIC,
        request=request,
        user=request.user,
        organism=consultation.organism,
        profile=consultation.profile_code,
        caf=consultation.dossier.caf.code,
        dossier=consultation.dossier.numero,
        rubric=rubric,
        outcome="refused" if refused else "found",
    )


def reference_refused(*, request, rubric: str) -> None:
    """An unknown, expired, tampered or another user's consultation reference: 404 for the user, a refusal row
    here (no dossier: the reference says nothing the user may know)."""
    journal_write(
        Event.CDAP_RUBRIC_REFUSED,
        request=request,
        user=request.user,
        rubric=rubric,
        outcome="refused",
        reason="reference_inconnue",
    )


def attestation_journal(*, request, consultation: Consultation, mode: str, periode) -> None:
    journal_write(
        Event.CDAP_ATTESTATION,
        request=request,
        user=request.user,
        organism=consultation.organism,
        profile=consultation.profile_code,
        caf=consultation.dossier.caf.code,
        dossier=consultation.dossier.numero,
        rubric="attestation_paiement",
        mode=mode,
        periode=periode.isoformat() if periode else None,
    )


@transaction.atomic
def postal_request_create(*, request, consultation: Consultation, periode) -> PostalRequest:
    """ "Envoyer par courrier": the Caf posts the attestation to the allocataire (listed in the admin)."""
    postal = PostalRequest.objects.create(consultation=consultation, periode=periode)
    attestation_journal(request=request, consultation=consultation, mode="courrier", periode=periode)
    return postal


def _postal_journal(event: str, *, request, postal: PostalRequest) -> None:
    journal_write(
        event,
        request=request,
        caf=postal.consultation.dossier.caf.code,
        dossier=postal.consultation.dossier.numero,
        periode=postal.periode.isoformat(),
        postal=postal.pk,
    )


def postal_request_printed(*, request, postal: PostalRequest) -> None:
    """A Caf agent printed the attestation of a postal request (to post it)."""
    _postal_journal(Event.CDAP_POSTAL_PRINTED, request=request, postal=postal)


@transaction.atomic
def postal_requests_mark_sent(*, request, queryset) -> int:
    """Mark the requests of `queryset` (already scoped to the agent's Caf) as sent, once: the rows are locked, those
    already sent are left as they are (two agents acting together send nothing twice). Returns how many changed."""
    now = timezone.now()
    pending = list(
        queryset.filter(sent_at__isnull=True)
        .select_for_update(of=("self",))
        .select_related("consultation__dossier__caf")
        .order_by("pk")
    )
    for postal in pending:
        postal.sent_at = now
        _postal_journal(Event.CDAP_POSTAL_SENT, request=request, postal=postal)
    PostalRequest.objects.bulk_update(pending, ["sent_at"])
    return len(pending)


# A numéro allocataire in a Dialogue message must be that of a dossier the sender consulted this long ago at most:
# the current consultation (Dialogue from the dossier page) always is one; from the search page, a partner may write
# about a dossier opened in the last weeks, never about one they have not opened.
DIALOGUE_CONSULTED_WITHIN = datetime.timedelta(days=30)


def _dialogue_numero_consulted(*, user, caf, numero: str) -> bool:
    since = timezone.now() - DIALOGUE_CONSULTED_WITHIN
    return Consultation.objects.filter(
        user_id=user.pk, dossier__caf=caf, dossier__numero=numero, created_at__gte=since
    ).exists()


# Dialogue messages one account sends per hour at most: a partner writes about a few dossiers, never fills the Caf's
# mailbox (a script, a stolen session). Counted in the cache (core.ratelimit), per account whatever the dossier.
DIALOGUE_RATE_PER_HOUR = 10
DIALOGUE_LIMITED = (
    f"Vous avez déjà envoyé {DIALOGUE_RATE_PER_HOUR} messages Dialogue au cours de la dernière heure : ce message "
    "n'a pas été envoyé. Réessayez plus tard ou, en cas d'urgence, appelez le centre de services de votre Caf."
)
REASON_DIALOGUE_LIMITED = "dialogue_limite"


def dialogue_rate_key(user) -> str:
    """The cache counter of the account's Dialogue messages this hour."""
    return f"cdap-dialogue:user:{user.pk}"


def dialogue_send(
    *, request, caf, organism, profile: str, data: dict, consultation: Consultation | None = None
) -> DialogueMessage:
    """`_dialogue_store` unless the account has sent DIALOGUE_RATE_PER_HOUR messages in the hour: then nothing is
    stored nor sent, the attempt is journaled as refused (outside any transaction of the message: it stays) and a
    ValidationError says so in French."""
    if hourly_limit_exceeded(dialogue_rate_key(request.user), DIALOGUE_RATE_PER_HOUR):
        journal_write(
            Event.CDAP_DIALOGUE,
            request=request,
            user=request.user,
            organism=organism,
            profile=profile,
            caf=caf.code,
            dossier=consultation.dossier.numero if consultation else "",  # never a typed, unchecked numéro
            outcome="refused",
            reason=REASON_DIALOGUE_LIMITED,
        )
        raise ValidationError(DIALOGUE_LIMITED)
    return _dialogue_store(
        request=request, caf=caf, organism=organism, profile=profile, data=data, consultation=consultation
    )


@transaction.atomic
def _dialogue_store(
    *, request, caf, organism, profile: str, data: dict, consultation: Consultation | None = None
) -> DialogueMessage:
    """Store the message with its authenticated sender (`request.user`, writing for `organism`, from `consultation`:
    the request user's own, as cdap.selectors.consultation_for gives it), queue it to the Caf's contact address
    (after commit; From the portal's address, Reply-To the declared one) and journal it, the dossier key being the
    numéro allocataire.

    A numéro allocataire is accepted only for a dossier of `caf` the sender consulted in the last
    DIALOGUE_CONSULTED_WITHIN; else ValidationError on the field, with the same message whether the dossier exists or
    not, and nothing is written."""
    numero = data["numero_allocataire"]
    if numero and not _dialogue_numero_consulted(user=request.user, caf=caf, numero=numero):
        raise ValidationError(
            {
                "numero_allocataire": f"Indiquez le numéro allocataire d'un dossier de la {caf.nom} que vous avez "
                f"consulté ces {DIALOGUE_CONSULTED_WITHIN.days} derniers jours, ou laissez ce champ vide."
            }
        )
    message = DialogueMessage.objects.create(
        user=request.user,
        organism=organism,
        caf=caf,
        consultation=consultation,
        organisme_declare=data["organisme"],
        nom_prenom_declare=data["nom_prenom"],
        email_declare=data["email"],
        numero_allocataire=numero,
        objet=data["objet"],
        message=data["message"],
    )
    if caf.email:
        email_queue(
            "dialogue_caf",
            to=caf.email,
            user=request.user,
            context={
                "message_id": message.pk,
                "expediteur": message.sender(),
                "organisme_reel": organism.nom,
                "origine": message.origin(),
                "organisme_declare": message.organisme_declare,
                "nom_prenom_declare": message.nom_prenom_declare,
                "email_declare": message.email_declare,
                "numero_allocataire": message.numero_allocataire,
                "objet": message.objet,
                "message": message.message,
            },
        )
    journal_write(
        Event.CDAP_DIALOGUE,
        request=request,
        user=request.user,
        organism=organism,
        profile=profile,
        caf=caf.code,
        dossier=numero,
        outcome="sent" if caf.email else "stored",
    )
    return message


def dialogue_subject(context: dict) -> str:
    """ "Dialogue n° 42 — Centre communal d'action sociale de Nice — avec numéro allocataire": the Caf's agents sort
    their mailbox by message and partner, without personal data in the subject (quality.md: a subject crosses
    mail servers and shows in notifications). The numéro allocataire and the typed object, which may name the
    beneficiary, stay in the body."""
    organisme = " ".join(str(context.get("organisme_reel", "")).split())
    dossier = "avec numéro allocataire" if context.get("numero_allocataire") else "sans numéro allocataire"
    return f"Mon Compte Partenaire : Dialogue n° {context.get('message_id')} — {organisme} — {dossier}"


register_email_kind(
    "dialogue_caf",
    subject=dialogue_subject,
    template="dialogue",
    reply_to="email_declare",
)
