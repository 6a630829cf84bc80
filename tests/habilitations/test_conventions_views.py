"""Gestion des habilitations: menu, "Mes organismes", "Les types de partenaires", "Mes conventions" (filters,
pagination), the convention's detail and its PDF; and the PDF fetcher that never leaves the static files.

The helpers at the top (`world`, `manager_client`) are shared with the users' screens tests."""

import datetime
import html
import io

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from core.pdf import StaticOnlyURLFetcher, render_pdf
from habilitations import services
from habilitations.models import ConventionDocument, PartnerType, Service
from tests.factories import TEST_PASSWORD, ConventionFactory, GroupFactory, UserFactory, grant, member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def manager_client(user) -> Client:
    """A client logged in through the real form; an administrator also passes the second factor (TOTP)."""
    client = Client()
    response = client.post("/connexion/", {"username": user.identifiant, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    if user.requires_otp:
        device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"name": "Application", "confirmed": True})
        token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        landing = "/admin/" if user.is_staff else "/accueil/"  # a Caf agent lands in the administration (12.6)
        assert client.post("/double-authentification/", {"token": token})["Location"] == landing
    return client


def administrator_of(organism, role="PRINCIPAL", **user_kwargs):
    """An administrator named by the Caf (the service sets the second-factor flag)."""
    user = UserFactory(organism=organism, **user_kwargs)
    services.administrator_name(organism=organism, user=user, role=role, date_ouverture=TODAY() - 30 * DAY)
    user.refresh_from_db()
    return user


class World:
    """Organism A: a T1 group ("CDAP T1", responsable R1) and an AFAS group (responsable R2), members, an
    administrator; organism B with its administrator, group and user."""

    def __init__(self):
        self.t1 = GroupFactory(code="T1", libelle="CDAP T1")
        self.convention = self.t1.convention
        self.organism = self.convention.organism
        grant(self.t1, "T1-ASS")
        self.afas = GroupFactory(code="AFAS-DEC", libelle="AFAS Déclarer", convention=self.convention)
        grant(self.afas, "AFAS-DECLARER")
        self.admin = administrator_of(self.organism, nom="Cervayne", prenom="Lisa")
        self.t1_member = UserFactory(organism=self.organism, nom="Dupuis", prenom="Martin")
        member(self.t1_member, self.t1)
        self.afas_member = UserFactory(organism=self.organism, nom="Lacroix", prenom="Justine")
        member(self.afas_member, self.afas)
        self.loner = UserFactory(organism=self.organism, nom="Belgacem", prenom="Khader")
        self.other_convention = ConventionFactory(libelle="Convention de l'autre organisme")
        self.other_organism = self.other_convention.organism
        self.other_admin = administrator_of(self.other_organism)
        self.other_group = GroupFactory(code="AUTRE", convention=self.other_convention)
        self.other_user = UserFactory(organism=self.other_organism, nom="Autre")
        member(self.other_user, self.other_group)

    @property
    def responsable(self):
        return self.t1.responsable


@pytest.fixture
def world():
    return World()


def content(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Menu ----------------------------------------------------------------------------------------------------


def test_gestion_des_habilitations_opens_on_mes_conventions_with_its_submenu(world):
    client = manager_client(world.admin)
    response = client.get("/gestion-des-habilitations/")
    assert response["Location"] == "/gestion-des-habilitations/mes-conventions/"
    page = content(client.get(response["Location"]))
    for label in ["Mes organismes", "Mes conventions", "Mes utilisateurs (interne)", "Les types de partenaires"]:
        assert label in page
    assert '<a href="/gestion-des-habilitations/mes-conventions/" aria-current="page">Mes conventions</a>' in page
    assert 'Gestion des habilitations</a></li><li aria-current="page">Mes conventions</li>' in page


def test_mes_utilisateurs_leads_to_the_users_of_the_only_convention(world):
    client = manager_client(world.admin)
    response = client.get("/gestion-des-habilitations/mes-utilisateurs/")
    assert response["Location"] == f"/gestion-des-habilitations/conventions/{world.convention.pk}/utilisateurs/"


MANAGEMENT_URLS = [
    "/gestion-des-habilitations/",
    "/gestion-des-habilitations/mes-organismes/",
    "/gestion-des-habilitations/mes-conventions/",
    "/gestion-des-habilitations/types-de-partenaires/",
    "/gestion-des-habilitations/mes-utilisateurs/",
    "/gestion-des-habilitations/conventions/{convention}/",
    "/gestion-des-habilitations/conventions/{convention}/pdf/",
    "/gestion-des-habilitations/conventions/{convention}/utilisateurs/",
    "/gestion-des-habilitations/conventions/{convention}/utilisateurs/creer/",
    "/gestion-des-habilitations/utilisateurs/{user}/",
    "/gestion-des-habilitations/utilisateurs/{user}/modifier/",
    "/gestion-des-habilitations/utilisateurs/{user}/cloturer/",
]


@pytest.mark.parametrize("who", ["t1_member", "loner"])
def test_a_plain_user_is_refused_every_management_page(world, who):
    client = manager_client(getattr(world, who))
    for url in MANAGEMENT_URLS:
        url = url.format(convention=world.convention.pk, user=world.t1_member.pk)
        assert client.get(url).status_code == 403, url
    resend = f"/gestion-des-habilitations/utilisateurs/{world.t1_member.pk}/renvoi-identifiant/"
    assert client.post(resend).status_code == 403


# --- Mes organismes, Les types de partenaires ----------------------------------------------------------------


def test_mes_organismes_lists_only_the_organisms_managed(world):
    for user in (world.admin, world.responsable):
        page = content(manager_client(user).get("/gestion-des-habilitations/mes-organismes/"))
        assert world.organism.siret in page and world.organism.nom in page
        assert world.organism.partner_type.libelle in page
        assert f"/gestion-des-habilitations/conventions/{world.convention.pk}/" in page
        assert world.other_organism.siret not in page


@pytest.mark.parametrize("who", ["admin", "responsable"])
def test_les_types_de_partenaires_with_their_eligible_services(world, who, django_assert_max_num_queries):
    client = manager_client(getattr(world, who))
    with django_assert_max_num_queries(8):
        page = content(client.get("/gestion-des-habilitations/types-de-partenaires/"))
    assert "CCAS / CIAS" in page
    ccas = page[page.index("CCAS / CIAS") :]
    assert ccas.index("Consulter Dossier") < ccas.index("Aide financière d&#x27;action sociale") < ccas.index("</tr>")
    assert page.count("<tr>") == PartnerType.objects.count() + 1


# --- Mes conventions -----------------------------------------------------------------------------------------


def test_mes_conventions_shows_the_guides_columns_and_actions(world):
    world.convention.date_validation = datetime.date(2019, 3, 7)
    world.convention.save()
    page = content(manager_client(world.admin).get("/gestion-des-habilitations/mes-conventions/"))
    for header in ["Libellé", "CAF pivot", "Partenaire", "Date d'ouverture", "Date de clôture", "Statut", "État"]:
        assert f'<th scope="col">{header}</th>' in page
    assert world.convention.libelle in page and "Caf des Alpes-Maritimes" in page
    assert "Validée le 07/03/2019" in page and '<td data-label="Statut">Ouvert</td>' in page
    assert 'class="actions-toggle" popovertarget="actions-convention-' in page and ">Choisir...<" in page
    pk = world.convention.pk
    for url in [f"conventions/{pk}/utilisateurs/", f"conventions/{pk}/groupes/", f"conventions/{pk}/pdf/"]:
        assert f'href="/gestion-des-habilitations/{url}"' in page
    assert world.other_convention.libelle not in page
    assert "Page 1 sur 1 — 1 résultat<" in page


def test_a_responsable_sees_the_convention_of_their_group(world):
    page = content(manager_client(world.responsable).get("/gestion-des-habilitations/mes-conventions/"))
    assert world.convention.libelle in page and world.other_convention.libelle not in page


def rows(page: str) -> list[str]:
    body = page[page.index('id="conventions"') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return [html.unescape(chunk.split("</th>")[0]) for chunk in body.split('<th scope="row">')[1:]]


@pytest.mark.parametrize(
    ("field", "matching", "other"),
    [
        ("libelle", "commune", "inexistant"),
        ("statut", "non_clotures", None),
        ("etat", "VALABLE", "SUSPENDUE"),
        ("partner_type", "CCAS", "CD"),
        ("caf_pivot", "Alpes-Maritimes", "Yvelines"),
        ("caf_pivot", "061", "781"),
        ("partenaire", "CCAS de la", "Mairie"),
    ],
)
def test_mes_conventions_filters_on_the_managers_convention(world, field, matching, other):
    client = manager_client(world.admin)

    def listed(value):
        if field == "partner_type":
            value = PartnerType.objects.get(code=value).pk
        return rows(content(client.get("/gestion-des-habilitations/mes-conventions/", {field: value})))

    assert listed(matching) == [world.convention.libelle]
    if other is not None:
        assert listed(other) == []
    if field == "statut":
        world.convention.date_cloture = TODAY()  # closed from today on
        world.convention.save()
        assert listed("non_clotures") == [] and listed("") == [world.convention.libelle]


@pytest.fixture
def thirty_conventions():
    """30 conventions (a manager has one organism: the form and the pagination are checked on all of them)."""
    conventions = [ConventionFactory(libelle=f"Convention {n:02d}") for n in range(30)]
    conventions[0].date_cloture = TODAY() - DAY
    conventions[0].save()
    conventions[1].etat, conventions[1].date_validation = "EN_ATTENTE", None
    conventions[1].save()
    conventions[2].organism.partner_type = PartnerType.objects.get(code="CD")
    conventions[2].organism.save()
    return conventions


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"libelle": "convention 0"}, {f"Convention 0{n}" for n in range(10)}),
        ({"statut": "non_clotures", "libelle": "Convention 0"}, {f"Convention 0{n}" for n in range(1, 10)}),
        ({"etat": "EN_ATTENTE"}, {"Convention 01"}),
        ({"partner_type": "CD"}, {"Convention 02"}),
        ({"caf_pivot": "Alpes-Maritimes", "libelle": "Convention 1"}, {f"Convention 1{n}" for n in range(10)}),
        ({"caf_pivot": "Yvelines"}, set()),
        ({"libelle": "Convention 2", "etat": "pas un état"}, {f"Convention 2{n}" for n in range(10)}),
    ],
)
def test_convention_filter_form(thirty_conventions, params, expected):
    from habilitations.forms.conventions import ConventionFilterForm
    from habilitations.models import Convention

    if "partner_type" in params:  # a copy: the parameters are shared by every run of the test in the process
        params = {**params, "partner_type": PartnerType.objects.get(code=params["partner_type"]).pk}
    form = ConventionFilterForm(params)
    found = set(form.filter(Convention.objects.all()).values_list("libelle", flat=True))
    assert found == expected
    assert form.is_valid() == ("etat" not in params or params["etat"] == "EN_ATTENTE")


def test_convention_filter_form_by_siret(thirty_conventions):
    from habilitations.forms.conventions import ConventionFilterForm
    from habilitations.models import Convention

    form = ConventionFilterForm({"partenaire": thirty_conventions[5].organism.siret})
    assert list(form.filter(Convention.objects.all())) == [thirty_conventions[5]]


@pytest.mark.parametrize(
    "params",
    [
        {"libelle": "A" * 10_000},
        {"libelle": "abc\x00def"},
        {"partenaire": "\x00"},
        {"partner_type": "999999999999999999999"},
        {"partner_type": "abc"},
        {"statut": "<script>"},
        {"etat": "' OR 1=1 --"},
        {"caf_pivot": "Zoë 🦊 مرحبا \u202e"},
    ],
)
def test_mes_conventions_bad_filters_answer_in_french_never_500(world, params):
    page = content(manager_client(world.admin).get("/gestion-des-habilitations/mes-conventions/", params))
    if "caf_pivot" not in params:
        assert "Le formulaire contient 1 erreur" in page
    assert "<script>" not in page


def test_mes_conventions_query_count(world, django_assert_max_num_queries):
    client = manager_client(world.admin)
    with django_assert_max_num_queries(10):
        content(client.get("/gestion-des-habilitations/mes-conventions/", {"libelle": "CCAS"}))


# --- Détail de la convention and its PDF ---------------------------------------------------------------------


@pytest.fixture
def documented(world):
    """The convention with its documents and a closed profile; a suppléant next to the principal."""
    convention = world.convention
    cdap = Service.objects.get(code="CDAP")
    ConventionDocument.objects.create(
        convention=convention, kind="CONVENTION", date_reception=datetime.date(2019, 2, 1)
    )
    ConventionDocument.objects.create(
        convention=convention, kind="BULLETIN_ADHESION", service=cdap, date_reception=datetime.date(2019, 2, 2)
    )
    administrator_of(world.organism, role="SUPPLEANT", nom="Suppleant", prenom="Sam")
    return convention


def test_convention_detail_shows_everything_the_guides_list(world, documented):
    page = content(manager_client(world.admin).get(f"/gestion-des-habilitations/conventions/{documented.pk}/"))
    organism = world.organism
    for text in [documented.libelle, "Caf des Alpes-Maritimes", organism.siret, organism.partner_type.libelle]:
        assert text in page
    assert "T1 – Assistants service social" in page and "AFAS-DECLARER" in page
    assert "Administrateur principal" in page and "CERVAYNE Lisa" in page
    assert "Administrateur suppléant" in page and "SUPPLEANT Sam" in page
    assert "Convention d&#x27;accès signée" in page and "01/02/2019" in page
    assert "Bulletin d&#x27;adhésion" in page and "02/02/2019" in page
    # 7 users in A (2 responsables, 2 members, 1 without group, 2 administrators), 2 groups
    assert "<dt>Utilisateurs</dt><dd>7</dd>" in page and "<dt>Groupes</dt><dd>2</dd>" in page


def test_convention_detail_counts_what_a_responsable_sees(world):
    page = content(
        manager_client(world.responsable).get(f"/gestion-des-habilitations/conventions/{world.convention.pk}/")
    )
    assert "<dt>Utilisateurs</dt><dd>1 (de vos groupes)</dd>" in page
    assert "<dt>Groupes</dt><dd>1 (dont vous êtes responsable)</dd>" in page


@pytest.mark.parametrize("suffix", ["", "pdf/", "utilisateurs/", "utilisateurs/creer/"])
def test_another_organisms_convention_answers_404(world, suffix):
    for user in (world.admin, world.responsable):
        client = manager_client(user)
        for pk in (world.other_convention.pk, 987654321, 10**20):
            assert client.get(f"/gestion-des-habilitations/conventions/{pk}/{suffix}").status_code == 404


@pytest.mark.parametrize("who", ["admin", "responsable"])
def test_convention_pdf_holds_the_libelle_profiles_administrators_and_dates(world, documented, who):
    response = manager_client(getattr(world, who)).get(f"/gestion-des-habilitations/conventions/{documented.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="convention-{documented.pk}.pdf"'
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert documented.libelle in text and world.organism.siret in text
    assert "T1 – Assistants service social" in text and "AFAS-DECLARER" in text
    assert "CERVAYNE Lisa" in text and "Administrateur suppléant" in text
    assert documented.date_ouverture.strftime("%d/%m/%Y") in text
    assert "01/02/2019" in text


# --- The PDF fetcher: static files only ----------------------------------------------------------------------

ORIGIN = "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/static/css/portal.css",  # right path, another host
        f"{ORIGIN}/admin/",
        f"{ORIGIN}/static/../../etc/passwd",
        f"{ORIGIN}/static/%2e%2e/%2e%2e/etc/passwd",
        f"{ORIGIN}/static/css/absent.css",
        "file:///etc/passwd",
        f"file://{settings.BASE_DIR}/manage.py",
        f"file://{settings.BASE_DIR}/static/../manage.py",
        "ftp://example.com/x",
    ],
)
def test_the_pdf_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(ValueError, match="Ressource refusée"):
        StaticOnlyURLFetcher(origin=ORIGIN).fetch(url)


def test_the_pdf_fetcher_serves_static_files_and_data_urls():
    fetcher = StaticOnlyURLFetcher(origin=ORIGIN)
    css = fetcher.fetch(f"{ORIGIN}/static/css/portal.css")
    assert css.content_type == "text/css" and b"--green" in css.read()
    svg = fetcher.fetch(f"file://{settings.BASE_DIR}/static/img/favicon.svg")
    assert svg.content_type == "image/svg+xml"
    assert fetcher.fetch("data:text/plain;base64,b2s=").read() == b"ok"


def test_render_pdf_leaves_out_a_foreign_resource_without_fetching_it(monkeypatch):
    import urllib.request

    from core import pdf as pdf_module

    opened = []
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", lambda self, url, *a, **k: opened.append(url))
    monkeypatch.setattr(
        pdf_module,
        "render_to_string",
        lambda template, context: (
            '<img src="http://169.254.169.254/x.png"><link rel="stylesheet" href="file:///etc/passwd"><p>Bonjour</p>'
        ),
    )
    data = render_pdf("ignored.html", {})
    assert data.startswith(b"%PDF") and opened == []
    assert "Bonjour" in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_another_organisms_administrator_sees_none_of_its_objects(world):
    client = manager_client(world.other_admin)
    assert rows(content(client.get("/gestion-des-habilitations/mes-conventions/"))) == [world.other_convention.libelle]
    assert world.organism.siret not in content(client.get("/gestion-des-habilitations/mes-organismes/"))
