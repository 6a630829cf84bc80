"""Dossier factories for the CDAP tests.

`DossierFactory()` makes a dossier of the Caf 061 with its responsable only. Every other part is asked for by
keyword, each optional:

    DossierFactory(
        responsable__nom="Dupré",            # any Person field (nom_recherche follows nom)
        conjoint=True,                       # or conjoint__prenom="Éric", conjoint__nom=...
        children=[4, 9],                     # ages in years (or a number of children)
        payments=24,                         # months of payments (one line per prestation), most recent first
        rights=24,                           # months of rights for each of `prestations`
        prestations={"AF": "148.52", "AL": "250.00"},
        resources=True,                      # annual (N-2) per adult + one monthly row
        rsa=True,                            # current; or rsa__date_fin=months_ago(23), rsa__numero_instructeur=...
        housing=True,                        # or housing__bailleur_organism=organism, housing__numero_bailleur="..."
        debts=1, letters=2,
        health=True,                         # CMU, CMUC, RSA and CMUC ressources rows
        complements=True,                    # AEEH
        tutelle=organism,                    # a current measure; tutelle__date_fin=... for a past one
    )

`complete_dossier(**kwargs)` fills every rubric. Helpers: `months_ago(n)`, `month_start(date)`, `INSTRUCTEUR`
(a valid 14-character numéro d'instructeur), `person_add(dossier, role, ...)`.
"""

import datetime
from decimal import Decimal

import factory
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cdap import models as m
from cdap.text import normalize_name
from habilitations.models import Caf

INSTRUCTEUR = "006C0880100000"  # department 006, type C, commune 088, rang 01, 00000
DEFAULT_PRESTATIONS = {"AF": "148.52", "AL": "251.30"}


def today() -> datetime.date:
    return timezone.localdate()


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def months_ago(n: int, day: datetime.date | None = None) -> datetime.date:
    """The same day `n` months before (clamped to the month's end by relativedelta)."""
    return (day or today()) - relativedelta(months=n)


def person_add(dossier: m.Dossier, role: str, **fields) -> m.Person:
    values = {"civilite": "Mme", "nom": "MARTIN", "prenom": "Claire", "date_naissance": datetime.date(1984, 5, 2)}
    values.update(fields)
    values.setdefault("nom_recherche", normalize_name(values["nom"]))
    values.setdefault("a_charge", role in (m.Person.Role.ENFANT, m.Person.Role.AUTRE))
    return m.Person.objects.create(dossier=dossier, role=role, **values)


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Dossier
        skip_postgeneration_save = True

    caf = factory.LazyFunction(lambda: Caf.objects.get(code="061"))
    numero = factory.Sequence(lambda n: f"{4_000_000 + n:07d}")
    situation = "Affiliation"
    adresse = factory.Sequence(lambda n: f"{n % 150 + 1} rue Pastorelli")
    code_postal = "06000"
    commune = "Nice"
    code_commune = "06088"
    situation_familiale = "Célibataire"
    date_situation_familiale = datetime.date(2015, 6, 20)
    quotient_familial = 612

    @factory.post_generation
    def prestations(obj, create, extracted, **kwargs):
        """The monthly amounts used by `payments` and `rights` (hooks run in declaration order)."""
        obj._prestations = dict(extracted or DEFAULT_PRESTATIONS)

    @factory.post_generation
    def responsable(obj, create, extracted, **kwargs):
        if extracted is False:
            return
        person_add(obj, m.Person.Role.RESPONSABLE, activite="Salarié", **kwargs)

    @factory.post_generation
    def conjoint(obj, create, extracted, **kwargs):
        if not (extracted or kwargs):
            return
        fields = {"civilite": "M.", "nom": "MARTIN", "prenom": "Julien", "date_naissance": datetime.date(1982, 9, 14)}
        person_add(obj, m.Person.Role.CONJOINT, activite="Demandeur d'emploi", **{**fields, **kwargs})
        obj.situation_familiale = "Mariage"
        obj.save(update_fields=["situation_familiale"])

    @factory.post_generation
    def children(obj, create, extracted, **kwargs):
        ages = list(range(2, 2 + 3 * extracted, 3)) if isinstance(extracted, int) else list(extracted or ())
        names = ("Léa", "Hugo", "Inès", "Lucas", "Emma", "Noah")
        responsable = obj.persons.filter(role=m.Person.Role.RESPONSABLE).first()
        kwargs.setdefault("nom", responsable.nom if responsable else "MARTIN")
        for position, age in enumerate(ages):
            person_add(
                obj,
                m.Person.Role.ENFANT,
                civilite="",
                prenom=names[position % len(names)],
                date_naissance=today() - relativedelta(years=age, days=10),
                activite="Scolaire",
                **kwargs,
            )
        if ages:
            obj.nb_enfants_pf = len(ages)
            obj.nb_personnes_al = len(ages) + obj.persons.exclude(role=m.Person.Role.ENFANT).count() - 1
            obj.save(update_fields=["nb_enfants_pf", "nb_personnes_al"])

    @factory.post_generation
    def payments(obj, create, extracted, **kwargs):
        """`extracted` months of "Mensuel émis" payments, one line per prestation, the most recent month first."""
        prestations = kwargs.pop("prestations", None) or obj._prestations
        for n in range(1, (extracted or 0) + 1):
            periode = month_start(months_ago(n))
            total = sum(Decimal(amount) for amount in prestations.values())
            values = {
                "periode": periode,
                "date_emission": periode + relativedelta(months=1, day=5),
                "type_traitement": "Mensuel émis",
                "montant_total": total,
                "retenue": Decimal("0"),
                "montant_paye": total,
                **kwargs,
            }
            payment = m.Payment.objects.create(dossier=obj, **values)
            m.PaymentLine.objects.bulk_create(
                [m.PaymentLine(payment=payment, prestation=p, montant=Decimal(a)) for p, a in prestations.items()]
            )

    @factory.post_generation
    def rights(obj, create, extracted, **kwargs):
        prestations = kwargs.pop("prestations", None) or obj._prestations
        m.Right.objects.bulk_create(
            [
                m.Right(dossier=obj, mois=month_start(months_ago(n)), prestation=p, montant=Decimal(a), **kwargs)
                for n in range(1, (extracted or 0) + 1)
                for p, a in prestations.items()
            ]
        )

    @factory.post_generation
    def resources(obj, create, extracted, **kwargs):
        if not (extracted or kwargs):
            return
        for adult in obj.persons.exclude(role=m.Person.Role.ENFANT).order_by("pk"):
            m.Resource.objects.create(
                dossier=obj, person=adult, annee=today().year - 2, nature=kwargs.get("nature", "Salaires"),
                montant=Decimal(kwargs.get("montant", "18400.00")),
            )  # fmt: skip
        m.Resource.objects.create(
            dossier=obj, mois=month_start(months_ago(1)), nature="Ressources mensuelles", montant=Decimal("1533.33")
        )

    @factory.post_generation
    def rsa(obj, create, extracted, **kwargs):
        """A current RSA period by default; rsa__date_fin=months_ago(23) for an ended one."""
        if not (extracted or kwargs):
            return
        values = {"date_debut": months_ago(30), "orientation": "Sociale", "numero_instructeur": INSTRUCTEUR, **kwargs}
        m.RsaPeriod.objects.create(dossier=obj, **values)

    @factory.post_generation
    def housing(obj, create, extracted, **kwargs):
        if not (extracted or kwargs):
            return
        values = {
            "type_occupation": "Logement conventionné",
            "date_debut_occupation": datetime.date(2019, 3, 1),
            "date_debut_droit": datetime.date(2019, 4, 1),
            "date_debut_bail": datetime.date(2019, 3, 1),
            "loyer": Decimal("560.00"),
            "date_loyer": datetime.date(today().year, 1, 1),
            "quittance_presente": True,
            "numero_bailleur": "061HLM0042",
            "nom_bailleur": "Côte d'Azur Habitat",
            **kwargs,
        }
        if "bailleur_organism" in kwargs and "nom_bailleur" not in kwargs and kwargs["bailleur_organism"]:
            values["nom_bailleur"] = kwargs["bailleur_organism"].nom
        m.Housing.objects.create(dossier=obj, **values)

    @factory.post_generation
    def debts(obj, create, extracted, **kwargs):
        for _ in range(extracted or 0):
            values = {"nature": "Indu d'aide au logement", "montant": Decimal("420.00"), "reste_du": Decimal("210.00")}
            m.Debt.objects.create(dossier=obj, plan="Retenue de 35,00 € par mois", **{**values, **kwargs})

    @factory.post_generation
    def letters(obj, create, extracted, **kwargs):
        for n in range(extracted or 0):
            values = {"date_reception": months_ago(n + 1), "objet": "Attestation de loyer"}
            m.Letter.objects.create(dossier=obj, etat="Votre dossier a été traité", **{**values, **kwargs})

    @factory.post_generation
    def health(obj, create, extracted, **kwargs):
        if not (extracted or kwargs):
            return
        kind = m.HealthCoverage.Kind
        m.HealthCoverage.objects.bulk_create(
            [
                m.HealthCoverage(dossier=obj, kind=kind.CMU, date_debut=months_ago(30), libelle="PUMa"),
                m.HealthCoverage(dossier=obj, kind=kind.CMUC, date_debut=months_ago(12), libelle="C2S"),
                m.HealthCoverage(dossier=obj, kind=kind.RSA, date_debut=months_ago(12), libelle="Bénéficiaire du RSA"),
                m.HealthCoverage(
                    dossier=obj, kind=kind.CMUC_RESSOURCES, libelle="Ressources des 12 derniers mois",
                    montant=Decimal("9800.00"),
                ),
            ]
        )  # fmt: skip

    @factory.post_generation
    def complements(obj, create, extracted, **kwargs):
        if not (extracted or kwargs):
            return
        values = {"nature": "AEEH", "detail": "Allocation d'éducation de l'enfant handicapé", **kwargs}
        m.ComplementaryData.objects.create(dossier=obj, **values)

    @factory.post_generation
    def tutelle(obj, create, extracted, **kwargs):
        """tutelle=organism: a current measure held by the organism; tutelle__date_fin=... for a past one."""
        if not extracted:
            return
        values = {"mesure": "Tutelle", "date_debut": months_ago(48), **kwargs}
        m.ProtectionMeasure.objects.create(dossier=obj, organism=extracted, **values)


def complete_dossier(**kwargs) -> m.Dossier:
    """A family with every rubric filled: conjoint, two children, 24 months of payments and rights, resources,
    current RSA, housing, a debt, two letters, CMU/CMUC, AEEH."""
    values = {
        "situation_familiale": "Mariage",
        "conjoint": True,
        "children": [4, 9],
        "payments": 24,
        "rights": 24,
        "resources": True,
        "rsa": True,
        "housing": True,
        "debts": 1,
        "letters": 2,
        "health": True,
        "complements": True,
    }
    values.update(kwargs)
    return DossierFactory(**values)
