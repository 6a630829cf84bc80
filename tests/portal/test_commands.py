"""The management commands share one base (core.commands.PortalCommand, conventions.md): --dry-run where
it makes sense, a log line at the start and at the end (outcome, duration, option names only), a progress bar on
long work drawn where someone watches, a refusal in French with a non-zero exit."""

import io
import json
import logging

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command, get_commands, load_command_class
from django.utils import timezone

from cdap import generator as g
from core.commands import PortalCommand
from tests.cdap.test_import_dossiers import organisms, records, write_jsonl  # noqa: F401 - fixture


def project_commands() -> dict[str, str]:
    """Our commands (apps of this repository, not Django's or a package's): name → app."""
    ours = {"portal", "habilitations", "cdap"}
    return {name: app for name, app in get_commands().items() if app in ours}


def test_every_command_of_the_project_derives_from_the_shared_base():
    commands = project_commands()
    assert {"seed_demo", "import_dossiers"} <= set(commands), commands
    for name, app in commands.items():
        assert isinstance(load_command_class(app, name), PortalCommand), name


def _import_dossiers_arguments(request, tmp_path) -> list[str]:
    request.getfixturevalue("organisms")
    return [str(write_jsonl(tmp_path / "d.jsonl", records()[:5]))]


def _unused_reminders_arguments(request, tmp_path) -> list[str]:
    """An administrator with a habilitation not used for 12 months (the real run queues their reminder)."""
    from tests.habilitations.test_conventions_views import administrator_of
    from tests.habilitations.test_service_use import Old

    administrator_of(Old().organism)
    return []


# How to run each command offering --dry-run for real, its arguments made from the test's request and tmp_path.
DRY_RUN_ARGUMENTS = {
    "seed_demo": lambda request, tmp_path: ["--dossiers", "5", "--users", "3"],
    "import_dossiers": _import_dossiers_arguments,
    "send_yearly_connection_reminders": _unused_reminders_arguments,
}
WITH_DRY_RUN = sorted(
    name for name, app in project_commands().items() if load_command_class(app, name).dry_run_help is not None
)


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def run_command(name, *args) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_commands_offering_a_dry_run_are_known():
    assert WITH_DRY_RUN == sorted(DRY_RUN_ARGUMENTS), "add to DRY_RUN_ARGUMENTS how to run the command for real"


@pytest.mark.django_db
@pytest.mark.parametrize("name", WITH_DRY_RUN)
def test_a_dry_run_writes_no_row_where_the_real_run_writes(name, request, tmp_path):
    args = DRY_RUN_ARGUMENTS[name](request, tmp_path)
    before = row_counts()
    dry = run_command(name, *args, "--dry-run")
    assert row_counts() == before
    real = run_command(name, *args)
    assert any(count != before[label] for label, count in row_counts().items()), f"{name} wrote nothing for real"
    notice = "--dry-run : rien n'a été enregistré."
    assert dry.splitlines()[-1] == notice and notice not in real


class Terminal(io.StringIO):
    def isatty(self):
        return True


def import_file(path, stderr, **options):
    out = io.StringIO()
    call_command("import_dossiers", str(path), stdout=out, stderr=stderr, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_import_logs_its_start_and_end_with_option_names_only(organisms, tmp_path, caplog):  # noqa: F811
    path = write_jsonl(tmp_path / "dossiers-de-MARTIN-Jeanne.jsonl", records()[:3])
    with caplog.at_level(logging.INFO, logger="portal.commands"):
        import_file(path, io.StringIO(), dry_run=True)
    messages = [record.getMessage() for record in caplog.records if record.name == "portal.commands"]
    assert messages[0] == "import_dossiers: started (options: dry_run, file)", messages
    assert messages[-1].startswith("import_dossiers: done in "), messages
    assert all("MARTIN" not in message for message in messages)


@pytest.mark.django_db
def test_a_refusal_is_logged_and_raised(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="portal.commands"), pytest.raises(CommandError, match="Impossible"):
        import_file(tmp_path / "absent.jsonl", io.StringIO())
    (refusal,) = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert refusal.getMessage().startswith("import_dossiers: refused after ")


@pytest.mark.django_db
def test_import_progress_bar_in_a_terminal_with_rejected_lines_on_their_own(organisms, tmp_path):  # noqa: F811
    items = [g.synthetic_record("06", "061", i, today=timezone.localdate()) for i in range(1200)]
    path = write_jsonl(tmp_path / "d.jsonl", items, extra_lines=["{pas du json", json.dumps({"caf": "999"})])
    size_kb = max(path.stat().st_size // 1024, 1)
    terminal = Terminal()
    out = import_file(path, terminal, dry_run=True)
    err = terminal.getvalue()
    assert "1200 créés" in out and "2 refusées" in out
    assert f"Import [{'#' * 30}] {size_kb:>7,} / {size_kb:,} Ko".replace(",", " ") in err
    assert err.count("\rImport [") >= 3  # drawn after each batch of 500, and at the end
    assert "\r\x1b[2KLigne 1201 refusée : JSON invalide" in err and "\r\x1b[2KLigne 1202 refusée" in err
    assert err.endswith("\n")


@pytest.mark.django_db
def test_import_without_a_terminal_writes_only_the_rejected_lines(organisms, tmp_path):  # noqa: F811
    path = write_jsonl(tmp_path / "d.jsonl", records()[:2], extra_lines=["{pas du json"])
    err = io.StringIO()
    import_file(path, err, dry_run=True)
    assert err.getvalue().startswith("Ligne 3 refusée : JSON invalide") and err.getvalue().count("\n") == 1
    assert "\r" not in err.getvalue()


@pytest.mark.django_db
def test_import_from_a_pipe_in_a_terminal_has_no_bar_and_loads_everything(organisms, tmp_path):  # noqa: F811
    """`import_dossiers <(zcat dossiers.jsonl.gz)`: a pipe has no size and cannot tell its position."""
    import os
    import threading

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    lines = [json.dumps(item, default=str, ensure_ascii=False) + "\n" for item in records()[:600]]

    def feed():
        with pipe.open("w", encoding="utf-8") as out:
            out.writelines(lines)

    writer = threading.Thread(target=feed)
    writer.start()
    terminal = Terminal()
    try:
        out = import_file(pipe, terminal, dry_run=True)
    finally:
        writer.join(timeout=10)
    assert f"{len(lines)} créés" in out and "0 refusées" in out
    assert "Import [" not in terminal.getvalue()
