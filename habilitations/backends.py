"""Login by identifiant, case-insensitively; the session's user read by a SELECT compiled once."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

MAX_IDENTIFIANT_INPUT = 64


def normalize_identifiant(value) -> str:
    """Identifiants are stored upper-case; users may type them in any case, with stray spaces."""
    return str(value or "").replace("\x00", "").strip().upper()[:MAX_IDENTIFIANT_INPUT]


def axes_username(request, credentials=None) -> str:
    """The key django-axes counts failures on: the normalised identifiant, whatever the address."""
    if credentials and credentials.get("username") is not None:
        return normalize_identifiant(credentials.get("username"))
    if request is not None and request.method == "POST":
        return normalize_identifiant(request.POST.get("username"))
    return ""


class _UserByPk:
    """`User._default_manager.get(pk=…)` as ModelBackend.get_user runs it, compiled once per process and database:
    the ORM builds and compiles that SELECT anew on every request, which costs as much as PostgreSQL answering it
    (bench: middleware_authenticated). The row itself is read on every request, nothing is cached across requests:
    a closed account or a changed password takes effect on the next one."""

    _SENTINEL = -7_340_001  # stands for the primary key while compiling

    def __init__(self, using: str):
        model = get_user_model()
        query = model._default_manager.db_manager(using).filter(pk=self._SENTINEL).order_by().query
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        if list(params) != [self._SENTINEL]:
            raise ValueError(f"unexpected parameters {params!r} for the user's SELECT")
        self.model, self.using, self.sql = model, using, sql
        columns = [col for col, _, _ in compiler.select]
        self.attnames = [col.target.attname for col in columns]
        # The fields' and the backend's from-database converters, as the ORM applies them (none for PostgreSQL).
        self.converters = [(pos, convs, expr) for pos, (convs, expr) in compiler.get_converters(columns).items()]

    def get(self, pk):
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [pk])
            rows = cursor.fetchmany(2)
        if len(rows) != 1:
            if rows:
                raise self.model.MultipleObjectsReturned(f"{len(rows)} users with the primary key {pk!r}")
            return None
        values = list(rows[0])
        for pos, convs, expr in self.converters:
            for converter in convs:
                values[pos] = converter(values[pos], expr, connection)
        return self.model.from_db(self.using, self.attnames, values)


_users_by_pk: dict[str, _UserByPk] = {}


class IdentifiantBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("identifiant")
        if password is not None and "\x00" in password:
            return None
        return super().authenticate(request, username=normalize_identifiant(username), password=password)

    def user_can_authenticate(self, user):
        # Closed accounts and expired provisional passwords are refused by the login form, with their own message.
        return user.is_active

    def get_user(self, user_id):
        """ModelBackend.get_user (called by django.contrib.auth.get_user on every request: session hash, flush and
        the rest stay Django's), with the precompiled SELECT."""
        using = router.db_for_read(get_user_model())
        loader = _users_by_pk.get(using)
        if loader is None:
            loader = _users_by_pk[using] = _UserByPk(using)
        user = loader.get(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
