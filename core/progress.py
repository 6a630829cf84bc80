"""A one-line progress bar for long commands (seed_demo, import_dossiers), redrawn in place."""

import sys


class ProgressBar:
    """ "Utilisateurs [#######.....]  35 000 / 100 000", redrawn in place on stderr (or through `write`)."""

    def __init__(self, total: int, label: str, write=None, width: int = 30, unit: str = ""):
        self.total, self.label, self.width, self.unit, self.done = total, label, width, unit, 0
        self.write = write or self._stderr

    @staticmethod
    def _stderr(text: str) -> None:
        sys.stderr.write(text)
        sys.stderr.flush()

    def advance(self, count: int) -> None:
        self.update(self.done + count)

    def update(self, done: int) -> None:
        """Redraw at `done` (never beyond the total)."""
        self.done = min(done, self.total) if self.total else done
        filled = self.width * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        unit = f" {self.unit}" if self.unit else ""
        self.write(f"\r{self.label} [{bar}] {self.done:>7,} / {self.total:,}{unit}".replace(",", " "))

    def note(self, text: str) -> None:
        """A line of its own (a rejected line, say) above the bar, which is drawn again below it."""
        self.write("\r\x1b[2K" + text + "\n")
        self.update(self.done)

    def close(self) -> None:
        self.write("\n")
