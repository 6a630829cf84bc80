"""Issue 26.4: request bodies bounded before they are read. The request goes through the whole middleware stack
(Django's test handler, CSRF enforced: its check is the first to read a body) with a body that is made as it is read
and counts what was read: a 50 MB upload to the import is refused on its Content-Length, nothing of it read; a file
sent to a form that takes none is refused at the file's headers, before its content is kept or spooled."""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import ClientHandler

from core.mail.models import OutgoingEmail
from core.uploads import FILE_REFUSED, TOO_LARGE
from habilitations.forms.imports import FILE_TOO_LARGE
from habilitations.models import User, UserGroup
from tests.factories import UserFactory
from tests.habilitations.test_conventions_views import World, manager_client
from tests.habilitations.test_groups_views import group_form
from tests.habilitations.test_imports import upload_url
from tests.support.access import routes

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
BOUNDARY = "MCPBOUNDARY"
READ_CHUNK = 64 * 1024  # Django's multipart parser reads the body by chunks of this size


class Body:
    """A multipart body: `prefix` (fields, then a file part's headers), `size` bytes of file content, the closing
    boundary; made as it is read, `read_bytes` counts what was read."""

    def __init__(self, prefix: bytes, size: int):
        self.prefix, self.size, self.read_bytes = prefix, size, 0
        self.suffix = f"\r\n--{BOUNDARY}--\r\n".encode()

    @property
    def length(self) -> int:
        return len(self.prefix) + self.size + len(self.suffix)

    def read(self, n: int | None = -1) -> bytes:
        start = self.read_bytes
        end = self.length if n is None or n < 0 else min(self.length, start + n)
        self.read_bytes = end
        content_end = len(self.prefix) + self.size
        return b"".join(
            [
                self.prefix[start:end],
                b"x" * max(0, min(end, content_end) - max(start, len(self.prefix))),
                self.suffix[max(0, start - content_end) : max(0, end - content_end)],
            ]
        )

    def readline(self, n: int | None = -1) -> bytes:
        return self.read(n)


def part(name: str, value: str) -> bytes:
    return f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()


def with_file(fields: dict, size: int) -> Body:
    """The form's fields, then a file of `size` bytes (a CSV: the import's field name)."""
    headers = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="fichier"; filename="gros.csv"\r\n'
    prefix = b"".join(part(name, value) for name, value in fields.items())
    return Body(prefix + (headers + "Content-Type: text/csv\r\n\r\n").encode(), size)


def post(client: Client, url: str, fields: dict, size: int):
    """POST the fields and a file of `size` bytes as multipart/form-data to `url`, through the middleware stack,
    with `client`'s cookies and CSRF token (enforced: the check reads the body). Returns (response, body)."""
    client.get(url)  # the form page sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    body = with_file({"csrfmiddlewaretoken": token, **fields}, size)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": url,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": body,
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.length),
        "HTTP_COOKIE": "; ".join(f"{key}={morsel.value}" for key, morsel in client.cookies.items()),
    }
    return ClientHandler(enforce_csrf_checks=True)(environ), body


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_50_mb_upload_to_the_import_is_refused_before_a_byte_is_read():
    world = World()
    before = OutgoingEmail.objects.count(), User.objects.count()
    response, body = post(manager_client(world.admin), upload_url(world), {}, 50 * MB)
    assert response.status_code == 413
    assert FILE_TOO_LARGE in text(response) and "Revenir au formulaire" in text(response)
    assert body.read_bytes == 0
    assert (OutgoingEmail.objects.count(), User.objects.count()) == before


def test_the_import_still_reads_a_file_within_its_limit():
    world = World()
    response, body = post(manager_client(world.admin), upload_url(world), {}, 5 * MB + 1)
    assert response.status_code == 200 and FILE_TOO_LARGE in text(response)  # the form's own check, next to the field
    assert body.read_bytes == body.length


def test_a_50_mb_upload_to_a_public_form_is_refused_before_a_byte_is_read():
    response, body = post(Client(), "/mot-de-passe-oublie/", {"email": "connue@partenaire.example"}, 50 * MB)
    assert response.status_code == 413 and TOO_LARGE in text(response)
    assert body.read_bytes == 0


def test_a_file_sent_to_a_public_form_is_refused_at_its_headers():
    """An anonymous multipart POST with a 900 kB file (under the 1 MB body limit) to "Mot de passe oublié": the
    fields before it are read, the file's content at most up to the parser's first chunk, none of it kept."""
    UserFactory(email="connue@partenaire.example")
    response, body = post(Client(), "/mot-de-passe-oublie/", {"email": "connue@partenaire.example"}, 900 * 1024)
    assert response.status_code == 400 and FILE_REFUSED in text(response)
    assert body.read_bytes <= len(body.prefix) + READ_CHUNK
    assert not OutgoingEmail.objects.exists()


def test_a_file_sent_to_a_logged_in_form_that_takes_none_is_refused_too():
    world = World()
    groups = UserGroup.objects.count()
    response = manager_client(world.admin).post(
        f"/gestion-des-habilitations/conventions/{world.convention.pk}/groupes/creer/",
        group_form(code="T9", responsable=world.loner.pk, piece=SimpleUploadedFile("cv.pdf", b"%PDF-1.4")),
    )
    assert response.status_code == 400 and FILE_REFUSED in text(response)
    assert UserGroup.objects.count() == groups


def test_only_the_import_takes_a_file_within_the_proxys_limit():
    takers = {
        route.name: route.view.upload_limit for route in routes(admin=True) if hasattr(route.view, "upload_limit")
    }
    assert takers == {"habilitations:import_upload": (settings.UPLOAD_MAX_REQUEST_SIZE, FILE_TOO_LARGE)}
    nginx = (Path(settings.BASE_DIR) / "deploy/nginx/mcp.conf.template").read_text()
    (proxy_mb,) = re.findall(r"^client_max_body_size (\d+)m;", nginx, re.M)
    assert int(proxy_mb) * MB == settings.UPLOAD_MAX_REQUEST_SIZE
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < settings.UPLOAD_MAX_REQUEST_SIZE
