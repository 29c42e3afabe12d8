"""`cnncalc docs`: the reference pages that ship with cnncalc, read in the terminal.

The pages are the Markdown files of the repository's docs/ folder. A wheel installs them as
data files under `share/doc/cnncalc/` of its prefix (pyproject.toml, `data-files`); a source
checkout or an editable install reads docs/ beside the package.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import CnnCalcError, UsageError
from ..records import record
from .common import console, guarded, write

SHARE = ("share", "doc", "cnncalc")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


@record
class Page:
    name: str  # "spec" for spec.md
    path: Path
    title: str  # its first heading


def _source_docs() -> Path | None:
    """docs/ beside the package: a checkout, an editable install or an unpacked sdist."""
    here = Path(__file__).resolve().parents[2] / "docs"
    return here if (here / "spec.md").is_file() else None


def _installed_docs() -> Path | None:
    """The data files a wheel installed, found through the distribution's record (which
    knows the prefix it went to: a venv, --user or a system prefix), else sys.prefix."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        files = distribution("cnncalc").files or []
    except PackageNotFoundError:
        files = []
    for f in files:
        if f.name == "spec.md" and tuple(f.parts[-4:-1]) == SHARE:
            located = Path(str(f.locate())).resolve()
            if located.is_file():
                return located.parent
    prefix = Path(sys.prefix).joinpath(*SHARE)
    return prefix if (prefix / "spec.md").is_file() else None


def docs_folder() -> Path:
    folder = _source_docs() or _installed_docs()
    if folder is None:
        raise CnnCalcError("this copy of cnncalc was installed without its docs",
                           "they are the docs/ folder of the source distribution")
    return folder


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """Each heading as (line index, level, text); a '#' line in a code block is none."""
    heads: list[tuple[int, int, str]] = []
    fenced = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        m = None if fenced else _HEADING.match(line)
        if m:
            heads.append((i, len(m.group(1)), m.group(2)))
    return heads


def _title(path: Path) -> str:
    heads = _headings(path.read_text(encoding="utf-8").splitlines())
    return heads[0][2] if heads else path.stem


def pages(folder: Path) -> list[Page]:
    return [Page(p.stem, p, _title(p)) for p in sorted(folder.glob("*.md"))]


def find_page(name: str, found: list[Page]) -> Page:
    wanted = name.lower().removesuffix(".md")
    for page in found:
        if page.name == wanted:
            return page
    from ..dialects.values import close_name

    names = [p.name for p in found]
    hint = close_name(wanted, names)
    raise UsageError(f"no page '{name}'",
                     (hint + " " if hint else "") + "pages: " + ", ".join(names))


def sections(text: str, wanted: str) -> list[str]:
    """Each section whose heading contains `wanted` (any case): from its heading down to the
    next heading of the same or a higher level. Code blocks are not headings."""
    lines = text.splitlines()
    heads = _headings(lines)
    found: list[str] = []
    needle = wanted.lower()
    for k, (start, level, heading) in enumerate(heads):
        if needle not in heading.lower():
            continue
        end = next((s for s, lv, _ in heads[k + 1:] if lv <= level), len(lines))
        found.append("\n".join(lines[start:end]).rstrip())
    return found


def section_headings(text: str) -> list[str]:
    return [heading for _, _, heading in _headings(text.splitlines())]


def complete_page(incomplete: str) -> list[str]:
    """Shell completion of the page names (none when the pages are not installed)."""
    folder = _source_docs() or _installed_docs()
    names = [p.stem for p in sorted(folder.glob("*.md"))] if folder else []
    return [n for n in names if n.startswith(incomplete)]


def register(app: typer.Typer) -> None:
    @app.command("docs")
    @guarded
    def docs(
        page: Annotated[str | None, typer.Argument(
            help="The page to show (spec, api, conventions, ...); none lists them.",
            autocompletion=complete_page)] = None,
        section: Annotated[str | None, typer.Argument(
            help="Show only the sections whose heading contains this text.")] = None,
        raw: Annotated[bool, typer.Option(
            "--raw", help="Print the Markdown as written (the default when not a terminal).")
        ] = False,
    ) -> None:
        """The reference pages that ship with cnncalc: the spec language, the API, the
        conventions, training, drawing, benchmarks.

        'cnncalc docs spec' shows a page; 'cnncalc docs spec "lecture tables"' only the
        sections whose heading says so."""
        found = pages(docs_folder())
        out = console()
        if page is None:
            width = max(len(p.name) for p in found)
            for p in found:
                write(f"{p.name.ljust(width)}  {p.title}\n", "text")
            write("\n'cnncalc docs PAGE' shows one; the files are in "
                  f"{found[0].path.parent}\n", "text")
            return
        chosen = find_page(page, found)
        text = chosen.path.read_text(encoding="utf-8")
        if section is not None:
            parts = sections(text, section)
            if not parts:
                from ..dialects.values import close_name

                heads = section_headings(text)
                hint = close_name(section, heads)
                raise UsageError(f"{chosen.name} has no section '{section}'",
                                 hint or f"its sections: {', '.join(heads[:12])}")
            text = "\n\n".join(parts)
        if raw or not out.is_terminal:
            write(text.rstrip("\n") + "\n", "text")
            return
        from rich.markdown import Markdown

        out.print(Markdown(text))
