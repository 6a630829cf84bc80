"""`make mutate` (issue 20): mutation testing of the access layer, the habilitation services and the CDAP masks and
search with mutmut 3, in a copy of the working tree — the checkout itself is never written to, but for the report.

1. The working tree (its tracked and untracked files, not the ignored ones) is copied to .mutation/.
2. In the copy, the decorators of the files to mutate are written as assignments (`@transaction.atomic def f` becomes
   `def f` then `f = transaction.atomic(f)`: the same object). mutmut 3 leaves decorated functions alone, which
   would leave out every write service and the access context's properties.
3. mutmut runs in the copy with [tool.mutmut] of pyproject.toml (the files to mutate, the fast tests that cover
   them), one mutant at a time (they share a test database and Redis).
4. mutation/report.md gets the score per area and every mutant not killed, with its diff; those that
   mutation/equivalent.md explains are counted apart.

`MUTANTS="glob ..."` re-tests those mutants in the copy the previous run left (refreshed from the working tree), then
tests the mutants never tested there (those of the functions changed since); the other results stand.
`MUTANTS="--only glob ..."` tests those mutants only (one area at a time: `--only 'habilitations.access.*'`), in the
previous run's copy or a new one; the report counts the others as 'not run'.
"""

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPY = ROOT / ".mutation"
REPORT = ROOT / "mutation" / "report.md"
EQUIVALENT = ROOT / "mutation" / "equivalent.md"

# The areas of the score (issue 20): a file may count in several.
AREAS = {
    "Couche d'accès (habilitations/access/)": ["habilitations/access/*"],
    "Services des habilitations (habilitations/services.py)": ["habilitations/services.py"],
    "Masques et recherche CDAP (cdap/selectors.py, habilitations/access/rubrics.py)": [
        "cdap/selectors.py",
        "habilitations/access/rubrics.py",
    ],
}
KILLED = {"killed", "timeout", "caught by type check"}


def is_mutated(name: str) -> bool:
    """As mutmut decides it: [tool.mutmut]'s only_mutate, less do_not_mutate."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    matches = lambda key: any(fnmatch.fnmatch(name, glob) for glob in config.get(key, []))  # noqa: E731
    return name.endswith(".py") and matches("only_mutate") and not matches("do_not_mutate")


def working_tree_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    return [name for name in out.decode().split("\0") if name and (ROOT / name).is_file()]


def snapshot(*, fresh: bool) -> None:
    """Copy the working tree to COPY (a fresh copy, or only what changed since the last one)."""
    if fresh and COPY.exists():
        shutil.rmtree(COPY)
    for name in working_tree_files():
        source, target = ROOT / name, COPY / name
        content = source.read_bytes()
        if is_mutated(name):
            content = undecorate(content.decode()).encode()
        if target.exists() and target.read_bytes() == content:
            continue  # unchanged: mutmut keeps its mutants and their results
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        # mutmut copies a file it does not mutate into mutants/ only once: drop the stale copy.
        (COPY / "mutants" / name).unlink(missing_ok=True)


def undecorate(source: str) -> str:
    import libcst as cst

    def rewrite(body):
        for statement in body:
            if not isinstance(statement, cst.FunctionDef) or not statement.decorators or _kept(statement):
                yield statement
                continue
            value = cst.Name(statement.name.value)
            for decorator in reversed(statement.decorators):
                value = cst.Call(func=decorator.decorator, args=[cst.Arg(value)])
            yield statement.with_changes(decorators=[])
            yield cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(statement.name.value))], value)])

    class Undecorate(cst.CSTTransformer):
        def leave_Module(self, original, updated):
            return updated.with_changes(body=list(rewrite(updated.body)))

        def leave_IndentedBlock(self, original, updated):
            return updated.with_changes(body=list(rewrite(updated.body)))

    def _kept(function) -> bool:  # mutmut mutates these as they are
        (decorator, *others) = function.decorators
        return (
            not others
            and isinstance(decorator.decorator, cst.Name)
            and decorator.decorator.value
            in (
                "staticmethod",
                "classmethod",
            )
        )

    return cst.parse_module(source).visit(Undecorate()).code


def equivalents() -> dict[str, str]:
    """mutation/equivalent.md: `- `mutant name` — why no test can tell it from the code`."""
    found = {}
    for line in EQUIVALENT.read_text().splitlines():
        match = re.match(r"- `([^`]+)` — (.+)", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def write_report(seconds: float, commit: str) -> None:
    """Run inside COPY (mutmut reads its configuration and results from the current directory)."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    explained = equivalents()
    by_file: dict[str, dict[str, str]] = {}
    for path in sorted(walk_mutatable_files()):
        data = SourceFileMutationData(path=path)
        data.load()
        by_file[str(path)] = {name: status_by_exit_code[code] for name, code in data.exit_code_by_key.items()}

    def row(label, files):
        statuses = {name: status for f in files for name, status in by_file[f].items()}
        killed = sum(status in KILLED for status in statuses.values())
        equivalent = sum(
            name in explained and status not in KILLED | {"not checked"} for name, status in statuses.items()
        )
        not_run = sum(status == "not checked" for status in statuses.values())
        left = len(statuses) - killed - equivalent - not_run
        score = f"{100 * killed / (killed + left):.1f} %" if killed + left else "—"
        return f"| {label} | {len(statuses)} | {not_run} | {killed} | {equivalent} | {left} | {score} |"

    header = "| area | mutants | not run | killed | equivalent | not killed | score |"
    lines = [
        "# Mutation testing — report",
        "",
        f"Written by `make mutate` (mutation/run.py, mutmut 3) from {commit}, in {seconds / 60:.0f} min. "
        "Score: killed ÷ (mutants run − equivalent); a mutant that no selected test runs counts as not killed; "
        "'not run': the run was stopped before it.",
        "",
        header,
        "|---|---|---|---|---|---|---|",
    ]
    for label, globs in AREAS.items():
        lines.append(row(label, [f for f in by_file if any(fnmatch.fnmatch(f, g) for g in globs)]))
    lines.append(row("**Total**", list(by_file)))
    lines += ["", header.replace("area", "file"), "|---|---|---|---|---|---|---|"]
    lines += [row(f"`{f}`", [f]) for f in by_file]

    known = {name for statuses in by_file.values() for name in statuses}
    stale = sorted(
        name for name in explained if name not in known or any(by_file[f].get(name) in KILLED for f in by_file)
    )
    if stale:
        lines += ["", "## Stale entries of mutation/equivalent.md (killed now, or no such mutant)", ""]
        lines += [f"- `{name}`" for name in stale]

    lines += ["", "## Not killed", ""]
    left_any = False
    for f, statuses in by_file.items():
        for name, status in statuses.items():
            if status in KILLED or name in explained or status == "not checked":
                continue
            left_any = True
            lines += [f"### `{name}` — {status}", "", "```diff", get_diff_for_mutant(name, path=f), "```", ""]
    if not left_any:
        lines.append("None: every mutant is killed or explained in mutation/equivalent.md.")
    REPORT.write_text("\n".join(lines).rstrip() + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mutants", nargs="*", help="re-test only these mutants (names or globs)")
    parser.add_argument("--only", action="store_true", help="test these mutants only, not the untested others")
    parser.add_argument("--report", metavar="SECONDS:COMMIT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.report:  # the second half, run inside the copy
        seconds, commit = args.report.split(":", 1)
        write_report(float(seconds), commit)
        return 0
    started = time.monotonic()
    snapshot(fresh=not args.mutants)
    mutmut = [Path(sys.executable).parent / "mutmut", "run", "--max-children", "1"]
    for names in [args.mutants] if args.only else [args.mutants, []] if args.mutants else [[]]:
        run = subprocess.run([*mutmut, *names], cwd=COPY)
        if run.returncode:
            return run.returncode
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    report = f"{time.monotonic() - started}:{commit.stdout.strip()}"
    return subprocess.run([sys.executable, __file__, "--report", report], cwd=COPY, env=os.environ).returncode


if __name__ == "__main__":
    sys.exit(main())
