"""Issue 23.1 — no access without the documents (webinar 004: « Sous réserve de la complétude et signature de : la
convention d'accès, le contrat de service, le bulletin d'adhésion à chaque service, le formulaire d'éligibilité »).

A profile is opened, and a convention becomes "Valable", only once the Caf recorded the documents of its services;
an agent may do without them with a reason, journaled (DOCUMENTS_OVERRIDDEN) for the control plan."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from habilitations import services
from habilitations.journal import Event, JournalEntry
from habilitations.models import Convention, ConventionDocument, ConventionProfile, Profile, Service
from habilitations.selectors import documents_missing, documents_required
from tests.factories import ConventionFactory, UserFactory, convention_documents, convention_profile
from tests.habilitations.test_admin import convention_post, page
from tests.portal.test_otp import enrol

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture
def admin_client(client, login):
    """An agent of the Caf des Alpes-Maritimes, logged in with the second factor."""
    enrol(client, login, UserFactory(agent=True))
    return client


T2_DOCUMENTS = {
    ("CONVENTION", None): "Convention d'accès signée",
    ("CONTRAT_SERVICE", None): "Contrat de service",
    ("BULLETIN_ADHESION", "CDAP"): "Bulletin d'adhésion (Consulter Dossier)",
    ("BULLETIN_ELIGIBILITE", "CDAP"): "Bulletin d'éligibilité (Consulter Dossier)",
}


def _record(convention, kind, code):
    return ConventionDocument.objects.create(
        convention=convention,
        kind=kind,
        service=Service.objects.get(code=code) if code else None,
        date_reception=TODAY(),
    )


def test_the_documents_a_service_needs():
    assert set(documents_required({"CDAP"})) == set(T2_DOCUMENTS)
    # A supervision is subscribed with the service it supervises; ADONIS needs no bulletin d'éligibilité.
    assert documents_required({"SUPERVISION_CDAP"}) == documents_required({"CDAP"})
    assert documents_required({"ADONIS"}) == [
        ("CONVENTION", None),
        ("CONTRAT_SERVICE", None),
        ("BULLETIN_ADHESION", "ADONIS"),
    ]
    assert documents_required(set()) == [("CONVENTION", None), ("CONTRAT_SERVICE", None)]


@pytest.mark.parametrize("absent", list(T2_DOCUMENTS), ids=lambda key: "-".join(filter(None, key)))
def test_a_profile_is_refused_while_one_document_is_missing_and_the_message_names_it(absent):
    convention = ConventionFactory()
    for kind, code in T2_DOCUMENTS:
        if (kind, code) != absent:
            _record(convention, kind, code)
    journal = JournalEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.convention_profile_open(convention, Profile.objects.get(code="T2"), actor=UserFactory(agent=True))
    assert refused.value.message_dict == {
        "profile": [
            f"Le profil T2 ne peut pas être accordé : document manquant « {T2_DOCUMENTS[absent]} ». Enregistrez ce "
            "document dans « Documents reçus », ou indiquez le motif de la dérogation."
        ]
    }
    assert not ConventionProfile.objects.filter(convention=convention).exists()
    assert JournalEntry.objects.count() == journal


def test_a_bulletin_of_another_service_does_not_count():
    convention = ConventionFactory()
    convention_documents(convention, "AFAS")  # everything, but for AFAS
    assert documents_missing(convention, {"CDAP"}) == [
        "Bulletin d'adhésion (Consulter Dossier)",
        "Bulletin d'éligibilité (Consulter Dossier)",
    ]
    with pytest.raises(ValidationError, match="documents manquants « Bulletin d'adhésion"):
        services.convention_profile_open(convention, Profile.objects.get(code="T2"))
    convention_documents(convention, "CDAP")
    assert services.convention_profile_open(convention, Profile.objects.get(code="T2")).is_open


def test_the_supervision_needs_the_documents_of_the_service_it_supervises():
    convention = ConventionFactory()
    with pytest.raises(ValidationError, match="Bulletin d'éligibilité \\(Consulter Dossier\\)"):
        services.convention_profile_open(convention, Profile.objects.get(code="SUPERVISION_CDAP"))
    convention_documents(convention, "CDAP")
    assert services.convention_profile_open(convention, Profile.objects.get(code="SUPERVISION_CDAP")).is_open


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_blank_reason_is_no_reason(reason):
    with pytest.raises(ValidationError, match="indiquez le motif de la dérogation"):
        services.convention_profile_open(ConventionFactory(), Profile.objects.get(code="T2"), override_reason=reason)


def test_an_agent_may_open_without_the_documents_with_a_reason_journaled():
    agent, convention = UserFactory(agent=True), ConventionFactory()
    _record(convention, "CONVENTION", None)
    opened = services.convention_profile_open(
        convention, Profile.objects.get(code="T2"), override_reason="  Bulletins reçus par courrier  ", actor=agent
    )
    assert opened.is_open
    row = JournalEntry.objects.get(event=Event.DOCUMENTS_OVERRIDDEN)
    assert (row.actor, row.organism) == (agent, convention.organism)
    assert row.data == {
        "missing": [
            "Contrat de service",
            "Bulletin d'adhésion (Consulter Dossier)",
            "Bulletin d'éligibilité (Consulter Dossier)",
        ],
        "reason": "Bulletins reçus par courrier",
        "action": "profile_open",
        "profiles": ["T2"],
    }


def test_with_every_document_no_derogation_is_journaled_even_with_a_reason():
    convention = convention_documents(ConventionFactory(), "CDAP")
    services.convention_profile_open(convention, Profile.objects.get(code="T2"), override_reason="inutile")
    assert not JournalEntry.objects.filter(event=Event.DOCUMENTS_OVERRIDDEN).exists()


# --- "Valable" ---------------------------------------------------------------------------------------------


def _waiting():
    return ConventionFactory(etat="EN_ATTENTE", date_validation=None)


def test_valable_needs_the_convention_and_the_contrat_de_service():
    convention = _waiting()
    _record(convention, "CONVENTION", None)
    with pytest.raises(ValidationError) as refused:
        services.convention_set_etat(convention, etat="VALABLE")
    assert refused.value.message_dict == {
        "etat": [
            "La convention ne peut pas être « Valable » : document manquant « Contrat de service ». Enregistrez ce "
            "document dans « Documents reçus », ou indiquez le motif de la dérogation."
        ]
    }
    assert Convention.objects.get(pk=convention.pk).etat == "EN_ATTENTE"
    _record(convention, "CONTRAT_SERVICE", None)
    assert services.convention_set_etat(convention, etat="VALABLE").etat == "VALABLE"


@pytest.mark.parametrize(
    "closing, needed",
    [(None, True), (TODAY() + DAY, True), (TODAY(), False), (TODAY() - DAY, False)],
    ids=["open", "closes-tomorrow", "closed-today", "closed-yesterday"],
)
def test_valable_needs_the_bulletins_of_every_profile_not_closed(closing, needed):
    convention = _waiting()
    convention_documents(convention)  # the convention and the contrat only
    convention_profile(convention, "T2", date_cloture=closing)
    if needed:
        with pytest.raises(ValidationError, match="Bulletin d'adhésion \\(Consulter Dossier\\)"):
            services.convention_set_etat(convention, etat="VALABLE")
        convention_documents(convention, "CDAP")
    assert services.convention_set_etat(convention, etat="VALABLE").etat == "VALABLE"


def test_a_suspended_convention_needs_its_documents_to_be_valable_again_but_not_to_be_denounced():
    convention = ConventionFactory(etat="SUSPENDUE")
    with pytest.raises(ValidationError, match="ne peut pas être « Valable »"):
        services.convention_set_etat(convention, etat="VALABLE")
    assert services.convention_set_etat(convention, etat="DENONCEE").etat == "DENONCEE"


def test_valable_with_a_reason_is_journaled():
    agent, convention = UserFactory(agent=True), _waiting()
    services.convention_set_etat(convention, etat="VALABLE", override_reason="Originaux en route", actor=agent)
    row = JournalEntry.objects.get(event=Event.DOCUMENTS_OVERRIDDEN, actor=agent)
    assert (row.data["action"], row.data["profiles"]) == ("valable", [])
    assert row.data["missing"] == ["Convention d'accès signée", "Contrat de service"]


# --- The agents' admin ---------------------------------------------------------------------------------------


def test_the_admin_refuses_a_profile_without_its_documents_with_the_message_on_its_row(admin_client):
    convention = ConventionFactory()
    t2 = Profile.objects.get(code="T2")
    url = f"/admin/habilitations/convention/{convention.pk}/change/"
    journal = JournalEntry.objects.count()
    response = admin_client.post(
        url,
        convention_post(
            convention,
            profiles=[{"convention": convention.pk, "profile": t2.pk, "date_ouverture": TODAY().isoformat()}],
        ),
    )
    assert response.status_code == 200
    text = page(response)
    assert "Le profil T2 ne peut pas être accordé : documents manquants « Convention d'accès signée »" in text
    assert "Motif de la dérogation" in text
    assert not ConventionProfile.objects.filter(convention=convention).exists()
    assert JournalEntry.objects.count() == journal

    data = convention_post(
        convention, profiles=[{"convention": convention.pk, "profile": t2.pk, "date_ouverture": TODAY().isoformat()}]
    )
    data["motif_derogation"] = "Documents signés reçus par courrier le 02/12"
    response = admin_client.post(url, data)
    assert response.status_code == 302, page(response)[:3000]
    assert ConventionProfile.objects.get(convention=convention, profile=t2).is_open
    row = JournalEntry.objects.get(event=Event.DOCUMENTS_OVERRIDDEN, organism=convention.organism)
    assert row.data["reason"] == "Documents signés reçus par courrier le 02/12"


def test_the_admin_counts_the_documents_recorded_in_the_same_submission(admin_client):
    convention = _waiting()
    cdap = Service.objects.get(code="CDAP")
    documents = [
        {"convention": convention.pk, "kind": kind, "service": cdap.pk if code else "", "date_reception": "2026-11-02"}
        for kind, code in T2_DOCUMENTS
    ]
    response = admin_client.post(
        f"/admin/habilitations/convention/{convention.pk}/change/",
        convention_post(
            convention,
            etat="VALABLE",
            profiles=[
                {
                    "convention": convention.pk,
                    "profile": Profile.objects.get(code="T2").pk,
                    "date_ouverture": TODAY().isoformat(),
                }
            ],
            documents=documents,
        ),
    )
    assert response.status_code == 302, page(response)[:3000]
    convention.refresh_from_db()
    assert convention.etat == "VALABLE" and convention.documents.count() == 4
    assert not JournalEntry.objects.filter(event=Event.DOCUMENTS_OVERRIDDEN).exists()


def test_the_admin_refuses_valable_without_documents(admin_client):
    convention = _waiting()
    response = admin_client.post(
        f"/admin/habilitations/convention/{convention.pk}/change/", convention_post(convention, etat="VALABLE")
    )
    assert response.status_code == 200
    assert "La convention ne peut pas être « Valable » : documents manquants" in page(response)
    assert Convention.objects.get(pk=convention.pk).etat == "EN_ATTENTE"
