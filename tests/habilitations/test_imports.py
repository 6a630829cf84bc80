"""Bulk import: "Vérifier" writes nothing and says, line by line, what would change; "Appliquer" writes every line
or none, once; a malformed file never gives a 500."""

import datetime
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.mail.models import OutgoingEmail
from habilitations import imports, services
from habilitations.journal import JournalEntry
from habilitations.models import IssuedIdentifiant, Membership, User, UserGroup
from tests.factories import GroupFactory, UserFactory
from tests.habilitations.test_conventions_views import World, administrator_of, manager_client
from tests.habilitations.test_groups_views import page

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)
HEADER = "nom;prenom;email;telephone;poste;date_ouverture;date_cloture;groupe;qualification"


@pytest.fixture
def world():
    return World()


@pytest.fixture
def admin(world):
    return manager_client(world.admin)


def everything():
    """Every table an import could write to."""
    return (
        User.objects.count(),
        Membership.objects.count(),
        UserGroup.objects.count(),
        OutgoingEmail.objects.count(),
        JournalEntry.objects.count(),
        IssuedIdentifiant.objects.count(),
    )


def upload_url(world):
    return f"/gestion-des-habilitations/conventions/{world.convention.pk}/import/"


def csv_upload(lines, header=HEADER, name="utilisateurs.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, "\n".join([header, *lines]).encode(encoding), content_type="text/csv")


def verify(client, world, upload):
    """Step 1; returns (response of the result page, token)."""
    response = client.post(upload_url(world), {"fichier": upload})
    if response.status_code != 302:
        return response, None
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    return client.get(response["Location"]), token


def result_url(world, token):
    return f"{upload_url(world)}{token}/"


def clean_lines(world):
    return [
        "Lagare;Xavier;x.lagare@partenaire.fr;07 00 02 00 00;Itinérant;;;T1;oui",
        "Durand;Laureline;l.durand@partenaire.fr;;;01/09/2026;;",
        f"{world.loner.nom};{world.loner.prenom};{world.loner.email.upper()};;;;;AFAS-DEC",
    ]


# --- The page -----------------------------------------------------------------------------------------------


def test_the_upload_page_documents_the_format_and_offers_templates(world, admin):
    text = page(admin.get(upload_url(world)))
    assert "IMPORTER DES UTILISATEURS" in text
    for column in imports.COLUMNS:
        assert f"<code>{column}</code>" in text
    assert "5 Mo" in text and "5000 lignes" in text and ">Vérifier</button>" in text
    assert "/import/modele/csv/" in text and "/import/modele/xlsx/" in text


def test_the_template_files(world, admin):
    response = admin.get(f"{upload_url(world)}modele/csv/")
    assert response["Content-Disposition"] == 'attachment; filename="modele-import-utilisateurs.csv"'
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff" + HEADER)
    response = admin.get(f"{upload_url(world)}modele/xlsx/")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == imports.COLUMNS
    assert admin.get(f"{upload_url(world)}modele/pdf/").status_code == 404
    # The template itself passes the check (its example group T1 exists here).
    response, token = verify(admin, world, SimpleUploadedFile("modele.csv", imports.template_csv()))
    assert token and "Lignes rejetées : <strong>0</strong>" in page(response)


def test_import_is_for_administrators_of_the_organism(world, admin):
    responsable = manager_client(world.responsable)
    before = everything()
    assert responsable.get(upload_url(world)).status_code == 403
    assert responsable.post(upload_url(world), {"fichier": csv_upload(clean_lines(world))}).status_code == 403
    other = f"/gestion-des-habilitations/conventions/{world.other_convention.pk}/import/"
    assert admin.get(other).status_code == 404
    assert admin.post(other, {"fichier": csv_upload(clean_lines(world))}).status_code == 404
    assert admin.get(f"{other}modele/csv/").status_code == 404
    assert everything() == before


# --- Vérifier: a dry run --------------------------------------------------------------------------------------


def test_verifier_reports_each_line_and_writes_nothing(world, admin):
    UserGroup.objects.filter(pk=world.afas.pk).update(date_cloture=TODAY() + 30 * DAY)
    in_60_days = f"{TODAY() + 60 * DAY:%d/%m/%Y}"  # line 14: a membership beyond the group's closing
    lines = [
        "Lagare;Xavier;x.lagare@partenaire.fr;07 00 02 00 00;Itinérant;;;t1;oui",  # 2: create + membership
        "Durand;Laureline;l.durand@partenaire.fr;;;;;",  # 3: create
        f"{world.loner.nom};{world.loner.prenom};{world.loner.email.upper()};;;;;T1;oui",  # 4: membership only
        f"{world.t1_member.nom};{world.t1_member.prenom};{world.t1_member.email};;;;;T1",  # 5: already a member
        "Lagare;Xavier;x.lagare@partenaire.fr;;;;;T1",  # 6: duplicate of 2
        "Lagare;Xavier;x.lagare@partenaire.fr;;;;;AFAS-DEC",  # 7: same new user, another group
        ";Sans nom;sans.nom@partenaire.fr;;;;;",  # 8: missing nom
        "Faux;Courriel;pas-une-adresse;;;;;",  # 9: bad e-mail
        "Date;Fausse;date.fausse@partenaire.fr;;;31/02/2026;;",  # 10: bad date
        "Groupe;Inconnu;groupe.inconnu@partenaire.fr;;;;;ZZZ",  # 11: unknown group
        "Dates;Inversées;dates@partenaire.fr;;;10/05/2026;01/05/2026;",  # 12: closing before opening
        "Poste;Inconnu;poste@partenaire.fr;;Nomade;;;",  # 13: unknown poste
        f"{world.t1_member.nom};{world.t1_member.prenom};{world.t1_member.email};;;;{in_60_days};AFAS-DEC",  # 14
        f"Autre;Organisme;{world.other_user.email};;;;;T1",  # 15: another organism's open account has it (23.2)
    ]
    before = everything()
    response, token = verify(admin, world, csv_upload(lines))
    assert everything() == before
    text = page(response)
    assert "Utilisateurs à créer : <strong>2</strong>" in text
    assert "Appartenances à ajouter : <strong>3</strong>" in text
    assert "Lignes sans changement : <strong>1</strong>" in text
    assert "Lignes rejetées : <strong>9</strong>" in text
    rows = dict(
        re.findall(
            r'<th scope="row">[^\d]*(\d+)</th>(?:<td[^>]*>[^<]*</td>){4}\s*<td[^>]*><div>(.*?)</div></td>', text
        )
    )
    assert rows["2"].startswith("Création de l'utilisateur et ajout au groupe")
    assert rows["3"] == "Création de l'utilisateur"
    assert "Ajout au groupe" in rows["4"] and f"Utilisateur existant ({world.loner.identifiant})" in rows["4"]
    assert "Sans changement" in rows["5"] and "déjà membre du groupe" in rows["5"]
    assert "Ligne en double de la ligne 2." in rows["6"]
    assert "Utilisateur créé par la ligne 2 : ajout au groupe." in rows["7"]
    assert "Nom manquant." in rows["8"]
    assert "Adresse mail invalide « pas-une-adresse »." in rows["9"]
    assert "Date d'ouverture invalide « 31/02/2026 » : attendu JJ/MM/AAAA." in rows["10"]
    assert "Groupe inconnu ou clôturé « ZZZ »." in rows["11"]
    assert "La date de clôture doit être postérieure ou égale à la date d'ouverture." in rows["12"]
    assert "Poste inconnu « Nomade »" in rows["13"]
    assert "Les dates de l'appartenance doivent être comprises dans celles du groupe." in rows["14"]
    assert (
        f"Adresse mail « {world.other_user.email} » : cette adresse mail est déjà celle d'un autre compte ouvert du "
        "portail" in rows["15"]
    )
    # Rejected lines: no "Appliquer"; posting it anyway writes nothing.
    assert ">Appliquer</button>" not in text and "corrigez le fichier" in text
    response = admin.post(result_url(world, token), follow=True)
    assert "Ce fichier contient des lignes rejetées" in page(response)
    assert everything() == before


def test_verifier_costs_the_same_queries_for_10_or_300_lines(world):
    def cost(n):
        records = [
            imports.Record(
                i + 2, {"nom": "N", "prenom": "P", "email": f"u{i}@p.fr", "groupe": "T1", "qualification": "oui"}
            )
            for i in range(n)
        ]
        records.append(
            imports.Record(
                n + 2, {"nom": "N", "prenom": "P", "email": world.loner.email, "groupe": "T1", "qualification": "oui"}
            )
        )
        with CaptureQueriesContext(connection) as ctx:
            plan = imports.plan_build(records, world.convention, actor=world.admin)
        assert plan.count(imports.CREATE) == n and plan.count(imports.MEMBERSHIP) == 1
        return len(ctx)

    assert cost(10) == cost(300) == 4  # 4 since the groups' CDAP profiles are read (issue 21.18)


# --- Appliquer ----------------------------------------------------------------------------------------------


def test_appliquer_creates_users_and_memberships_then_shows_the_identifiants(world, admin):
    response, token = verify(admin, world, csv_upload(clean_lines(world)))
    assert ">Appliquer</button>" in page(response)
    users = User.objects.count()
    response = admin.post(result_url(world, token))
    assert response.status_code == 302
    text = page(admin.get(result_url(world, token)))
    lagare = User.objects.get(email="x.lagare@partenaire.fr")
    durand = User.objects.get(email="l.durand@partenaire.fr")
    assert User.objects.count() == users + 2
    assert (lagare.organism, lagare.poste, lagare.telephone) == (world.organism, "ITINERANT", "07 00 02 00 00")
    assert durand.date_ouverture == datetime.date(2026, 9, 1)
    assert Membership.objects.filter(user=lagare, group=world.t1).exists()
    assert Membership.objects.filter(user=world.loner, group=world.afas).exists()
    assert not Membership.objects.filter(user=durand).exists()
    assert OutgoingEmail.objects.filter(user__in=[lagare, durand]).count() == 4  # identifiant + password each
    assert "Compte rendu : l'import est appliqué" in text
    assert "2 utilisateurs créés, 2 appartenances ajoutées" in text
    assert lagare.identifiant in text and durand.identifiant in text
    assert JournalEntry.objects.filter(actor=world.admin, event="hab.user_created").count() == 2


def test_appliquer_twice_does_nothing_the_second_time(world, admin):
    _, token = verify(admin, world, csv_upload(clean_lines(world)))
    admin.post(result_url(world, token))
    after_first = everything()
    response = admin.post(result_url(world, token), follow=True)
    assert "Cet import a déjà été appliqué" in page(response)
    assert everything() == after_first
    # The same file again: every line is already done.
    response, token = verify(admin, world, csv_upload(clean_lines(world)))
    text = page(response)
    assert (
        "Utilisateurs à créer : <strong>0</strong>" in text and "Appartenances à ajouter : <strong>0</strong>" in text
    )
    admin.post(result_url(world, token))
    assert everything()[:2] == after_first[:2]


def test_two_concurrent_claims_apply_once(world):
    records = imports.read_records("a.csv", "\n".join([HEADER, *clean_lines(world)]).encode())
    plan = imports.plan_build(records, world.convention, actor=world.admin)
    token = imports.plan_store(
        convention=world.convention, actor=world.admin, filename="a.csv", records=records, plan=plan
    )
    state = imports.plan_load(token, convention=world.convention, actor=world.admin)
    assert imports.apply_claim(token, dict(state)) is True
    assert imports.apply_claim(token, dict(state)) is False
    assert imports.apply_run(token) == imports.APPLIED
    assert imports.apply_run(token) == imports.APPLIED  # a retried task does nothing
    assert User.objects.filter(email="x.lagare@partenaire.fr").count() == 1


def test_a_line_refused_at_apply_time_rolls_everything_back(world, admin):
    _, token = verify(admin, world, csv_upload(clean_lines(world)))
    # Between "Vérifier" and "Appliquer", the group of line 4 closes.
    UserGroup.objects.filter(pk=world.afas.pk).update(date_cloture=TODAY())
    before = everything()
    admin.post(result_url(world, token))
    text = page(admin.get(result_url(world, token)))
    assert "L'import n'a pas été appliqué : rien n'a été enregistré" in text
    assert "Groupe inconnu ou clôturé « AFAS-DEC »." in text
    assert everything() == before


def test_a_service_refusal_in_the_middle_rolls_back_the_lines_already_applied(world, admin, monkeypatch):
    _, token = verify(admin, world, csv_upload(clean_lines(world)))

    def refuse(**kwargs):
        raise ValidationError({"group": "Cet utilisateur appartient déjà à ce groupe sur cette période."})

    monkeypatch.setattr(services, "membership_add", refuse)  # line 4, after two users were created
    before = everything()
    admin.post(result_url(world, token))
    text = page(admin.get(result_url(world, token)))
    assert "rien n'a été enregistré" in text and "Cet utilisateur appartient déjà à ce groupe" in text
    assert everything() == before
    assert not User.objects.filter(email="x.lagare@partenaire.fr").exists()


def test_the_running_state_polls_until_done(world, admin):
    _, token = verify(admin, world, csv_upload(clean_lines(world)))
    state = cache.get(imports._key(token))
    state["status"] = imports.RUNNING
    cache.set(imports._key(token), state)
    text = page(admin.get(result_url(world, token)))
    assert "Import en cours" in text and 'hx-trigger="load delay:2s"' in text


def test_a_token_is_only_its_administrators(world, admin):
    _, token = verify(admin, world, csv_upload(clean_lines(world)))
    suppleant = manager_client(administrator_of(world.organism, role="SUPPLEANT"))
    other = manager_client(world.other_admin)
    before = everything()
    assert suppleant.get(result_url(world, token)).status_code == 404
    assert suppleant.post(result_url(world, token)).status_code == 404
    other_url = f"/gestion-des-habilitations/conventions/{world.other_convention.pk}/import/{token}/"
    assert other.post(other_url).status_code == 404
    assert admin.get(result_url(world, "x" * 32)).status_code == 404
    assert admin.get(result_url(world, "..%2F..")).status_code == 404
    assert everything() == before


def _as_stored_before_the_deploy(token, **changes):
    """The token's state as the code of before ea76dd3 stored it: no version, no "report" in its summary."""
    state = cache.get(imports._key(token))
    state.pop("version", None)
    state["summary"].pop("report")
    state.update(changes)
    cache.set(imports._key(token), state)


def test_a_file_verified_before_a_deploy_has_expired(world, admin):
    _, token = verify(admin, world, csv_upload(clean_lines(world)))
    _as_stored_before_the_deploy(token)
    before = everything()
    for response in (admin.get(result_url(world, token)), admin.post(result_url(world, token), follow=True)):
        assert response.status_code == 404
        assert "Le fichier a expiré : déposez-le à nouveau." in page(response)
    assert admin.get(f"{result_url(world, token)}detail.csv").status_code == 404
    assert everything() == before
    assert not User.objects.filter(email="x.lagare@partenaire.fr").exists()


def test_a_claimed_import_of_before_a_deploy_is_not_applied(world, admin):
    _, token = verify(admin, world, csv_upload(clean_lines(world)))
    _as_stored_before_the_deploy(token, status=imports.RUNNING)
    before = everything()
    assert imports.apply_run(token) == "expired"
    assert everything() == before


# --- File formats and malformed files -----------------------------------------------------------------------


def test_comma_separated_and_header_aliases(world, admin):
    upload = csv_upload(
        ["Lagare,Xavier,x.lagare@partenaire.fr,T1,Oui"],
        header="Nom,Prénom,Adresse mail,Groupe,Qualification",
        name="u.CSV",
    )
    text = page(verify(admin, world, upload)[0])
    assert (
        "Utilisateurs à créer : <strong>1</strong>" in text and "Appartenances à ajouter : <strong>1</strong>" in text
    )


def test_an_xlsx_workbook_with_date_and_number_cells(world, admin):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(imports.COLUMNS)
    sheet.append(["Lagare", "Xavier", "x.lagare@partenaire.fr", 700020000, "Sédentaire", TODAY(), None, "T1", "oui"])
    out = io.BytesIO()
    workbook.save(out)
    response, token = verify(admin, world, SimpleUploadedFile("u.xlsx", out.getvalue()))
    assert "Utilisateurs à créer : <strong>1</strong>" in page(response)
    admin.post(result_url(world, token))
    user = User.objects.get(email="x.lagare@partenaire.fr")
    assert (user.telephone, user.date_ouverture) == ("700020000", TODAY())


def big_csv(lines: int) -> bytes:
    return "\n".join([HEADER, *(f"N;P;u{i}@p.fr;;;;;" for i in range(lines))]).encode()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("vide.csv", b"", "Le fichier est vide."),
        ("blanc.csv", b"\n\n  \n", "Le fichier est vide."),
        ("entete.csv", HEADER.encode(), "Le fichier ne contient aucune ligne après l'en-tête."),
        ("binaire.csv", bytes(range(256)) * 20, "Le fichier n'est ni un fichier CSV ni un classeur XLSX lisible."),
        ("latin1.csv", f"{HEADER}\nHéloïse;Zoé;h@p.fr;;;;;".encode("latin-1"), "doit être encodé en UTF-8"),
        ("faux.xlsx", b"ceci n'est pas un classeur", "Ce fichier n'est pas un classeur XLSX valide."),
        ("zip.xlsx", b"PK\x03\x04" + b"\x00garbage" * 100, "Le classeur XLSX n'a pas pu être lu"),
        ("ancien.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Le format XLS n'est pas pris en charge"),
        ("colonnes.csv", b"nom;prenom;mail;age\nA;B;c@d.fr;3", "Colonne inconnue : age."),
        ("manque.csv", b"nom;email\nA;c@d.fr", "Colonne obligatoire absente : prenom"),
        ("double.csv", b"nom;prenom;email;Email\nA;B;c@d.fr;c@d.fr", "Colonne en double : email."),
        ("quote.csv", b'nom;prenom;email\n"A;B;c@d.fr\n' + b"x" * 200_000, "Le fichier CSV est mal formé"),
        ("lignes.csv", big_csv(5001), "Le fichier dépasse 5000 lignes"),
        ("gros.csv", HEADER.encode() + b"\n" + b"x" * (5 * 1024 * 1024 + 1), "Le fichier dépasse 5 Mo"),
    ],
)
def test_a_malformed_file_is_refused_with_a_french_message(world, admin, name, content, message):
    before = everything()
    response = admin.post(upload_url(world), {"fichier": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in page(response), page(response)[:3000]
    assert everything() == before


def test_5000_lines_are_accepted(world, admin):
    response, token = verify(admin, world, SimpleUploadedFile("u.csv", big_csv(5000)))
    assert token and "Utilisateurs à créer : <strong>5000</strong>" in page(response)


def test_no_file_at_all(world, admin):
    response = admin.post(upload_url(world), {})
    assert "Choisissez le fichier à importer." in page(response)


def test_a_group_of_another_convention_is_unknown_here(world, admin):
    GroupFactory(code="ZZ", convention=world.other_convention)
    text = page(verify(admin, world, csv_upload(["A;B;a@b.fr;;;;;ZZ"]))[0])
    assert "Groupe inconnu ou clôturé « ZZ »." in text


def test_an_existing_closed_user_is_rejected(world, admin):
    closed = UserFactory(organism=world.organism, closed=True)
    text = page(verify(admin, world, csv_upload([f"A;B;{closed.email};;;;;T1"]))[0])
    assert f"L'utilisateur {closed.identifiant} qui a cette adresse mail est clôturé." in text


def test_a_zip_bomb_is_refused_before_reading(world, admin):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (imports.MAX_XLSX_UNCOMPRESSED + 1))
    assert len(out.getvalue()) < 100_000
    response = admin.post(upload_url(world), {"fichier": SimpleUploadedFile("bombe.xlsx", out.getvalue())})
    assert "Le classeur est trop volumineux une fois décompressé." in page(response)


def test_a_5000_line_workbook_is_read(world, admin):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(imports.COLUMNS)
    for i in range(5000):
        sheet.append(
            [f"Nom{i}", "Prénom", f"u{i}@partenaire.fr", "0493000000", "Itinérant", TODAY(), None, "T1", "oui"]
        )
    out = io.BytesIO()
    workbook.save(out)
    response, token = verify(admin, world, SimpleUploadedFile("u.xlsx", out.getvalue()))
    text = page(response)
    assert (
        "Utilisateurs à créer : <strong>5000</strong>" in text
        and "Appartenances à ajouter : <strong>5000</strong>" in text
    )
