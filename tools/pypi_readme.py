"""Write README.pypi.md, the README a package index shows, from README.md.

A package index shows the long description without the repository around it: a relative
link (docs/spec.md) or image (docs/img/...) there leads nowhere. In the index's copy each
link to a page of docs/ becomes the `cnncalc docs PAGE` command that shows that page (the
wheel installs the pages), and each picture becomes a line that says where it is.

    python tools/pypi_readme.py          # rewrite README.pypi.md
    python tools/pypi_readme.py --check  # exit 1 if README.pypi.md is out of date
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ("<!-- Written by tools/pypi_readme.py from README.md: edit README.md, then run "
          "`make pypi-readme`. -->\n")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")


class RelativeLinkError(ValueError):
    pass


def _link(m: re.Match[str]) -> str:
    text, target = m.group(1), m.group(2)
    if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
        return m.group(0)  # absolute (https:, mailto:) or an anchor on this page
    page = re.fullmatch(r"docs/([a-z0-9_-]+)\.md(?:#[\w-]+)?", target)
    if page is None:
        raise RelativeLinkError(f"README.md links to {target}, which a package index cannot "
                                "show: link to a page of docs/ or to an absolute URL")
    command = f"`cnncalc docs {page.group(1)}`"
    return command if text.strip("`") == target.split("#")[0] else f"{text} ({command})"


def _image(m: re.Match[str]) -> str:
    alt, target = m.group(1), m.group(2)
    if re.match(r"https?:", target):
        return m.group(0)
    return f"*Picture: {alt} ({target} in the source distribution).*"


def _prose(segment: str) -> str:
    return _LINK.sub(_link, _IMAGE.sub(_image, segment))


def pypi_readme(text: str) -> str:
    """README.md with its links and pictures rewritten; code blocks and `code spans` (where
    `layers[0](x)` is Python, not a link) are left as written."""
    out: list[str] = []
    fenced = False
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if fenced or line.lstrip().startswith("```"):
            out.append(line)
            continue
        parts = line.split("`")
        out.append("`".join(_prose(p) if i % 2 == 0 else p for i, p in enumerate(parts)))
    return HEADER + "".join(out)


def main(argv: list[str]) -> int:
    wanted = pypi_readme((ROOT / "README.md").read_text(encoding="utf-8"))
    target = ROOT / "README.pypi.md"
    if "--check" in argv:
        if not target.is_file() or target.read_text(encoding="utf-8") != wanted:
            print("README.pypi.md is out of date: run `make pypi-readme`", file=sys.stderr)
            return 1
        return 0
    tmp = target.with_suffix(".md.tmp")
    tmp.write_text(wanted, encoding="utf-8")
    tmp.replace(target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
