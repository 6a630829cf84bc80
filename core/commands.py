"""The base of every app's management commands (conventions.md, "Writes, tasks, commands").

What every command gets:
- `--dry-run` when the command sets `dry_run_help` (it does everything, then rolls back), and one notice for it;
- a progress bar on stderr for long work (`progress_bar`), drawn only where someone watches (a terminal) unless the
  command asks for it always — a redirected stderr keeps its report lines clean (import_dossiers' rejected lines);
- a log line when it starts and when it ends (outcome and duration) on the `portal.commands` logger — the options'
  names only, never their values (a file name may say whose data it is);
- a refusal (CommandError, a French message) or a crash gives a non-zero exit, logged as such.
Each command keeps its own transactions: seed_demo builds its world in one, import_dossiers commits each batch.
"""

import logging
import time

from django.core.management.base import BaseCommand, CommandError

from core.progress import ProgressBar

logger = logging.getLogger("portal.commands")  # the name operators filter on (README, "Ops commands"), kept


class PortalCommand(BaseCommand):
    dry_run_help: str | None = None  # the --dry-run option's help; None: the command has no --dry-run

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if self.dry_run_help:
            parser.add_argument("--dry-run", action="store_true", help=self.dry_run_help)
        return parser

    def execute(self, *args, **options):
        name = self.__module__.rsplit(".", 1)[-1]
        given = sorted(key for key, value in options.items() if value and key not in DEFAULT_OPTIONS)
        logger.info("%s: started (options: %s)", name, ", ".join(given) or "none")
        started = time.perf_counter()
        try:
            result = super().execute(*args, **options)
        except CommandError as error:
            logger.warning("%s: refused after %.1f s: %s", name, time.perf_counter() - started, error)
            raise
        except BaseException:
            logger.exception("%s: failed after %.1f s", name, time.perf_counter() - started)
            raise
        logger.info("%s: done in %.1f s", name, time.perf_counter() - started)
        return result

    def progress_bar(self, total: int, label: str, *, unit: str = "", always: bool = False) -> ProgressBar | None:
        """A progress bar on the command's stderr, or None where nobody watches (stderr is not a terminal) unless
        `always` (seed_demo: its bar is its report)."""
        if not always and not self.stderr.isatty():
            return None
        return ProgressBar(total, label, self.draw, unit=unit)

    def draw(self, text: str) -> None:
        """Draw a progress bar's line on stderr (for a bar that the work builds itself, given `write=command.draw`)."""
        self.stderr.write(text, style_func=_plain, ending="")  # not in the colour of errors
        self.stderr.flush()

    def dry_run_notice(self) -> None:
        self.stdout.write(self.style.WARNING("--dry-run : rien n'a été enregistré."))


def _plain(text: str) -> str:
    return text


# Django's own options (verbosity, settings, traceback, colours...), left out of the log line.
DEFAULT_OPTIONS = frozenset(
    {"verbosity", "settings", "pythonpath", "traceback", "no_color", "force_color", "skip_checks", "stdout", "stderr"}
)
