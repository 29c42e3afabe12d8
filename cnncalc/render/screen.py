"""The rich console every command prints through: outside text can never act on the terminal.

Whatever a command prints (its own renderables, or a string or table built by any command)
passes three rules here, so no command has to remember them:

- no markup and no emoji codes are read from text unless a call asks (`markup=True`), so a
  file named `[link=https://evil.example]x.py` is shown as written;
- control characters, bidi overrides and lone surrogates are shown as escapes (`\\x1b`),
  before layout, so tables stay aligned; a last pass over the rendered segments catches
  any renderable that lays text out itself;
- characters the stream cannot encode (a cp1252 stdout) become ASCII stand-ins before
  layout (rich already draws ASCII boxes there), so nothing raises UnicodeEncodeError.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.table import Table
from rich.text import Span, Text

from .safe import UNSAFE, _codec, _fits, for_stream, is_plain


def safe_str(text: str, console: Console) -> str:
    """A string as `console` can show it safely (see `for_stream`)."""
    return for_stream(text, console.encoding)


def safe_text(text: Text, console: Console) -> Text:
    """A rich Text with its unsafe or unencodable characters replaced, styles kept on the
    same characters. The same object when nothing needs replacing."""
    plain = text.plain
    fixed = safe_str(plain, console)
    if fixed == plain:
        return text
    # Map each old offset to its new one, character by character, to move the spans.
    offsets = [0] * (len(plain) + 1)
    pieces: list[str] = []
    at = 0
    for i, ch in enumerate(plain):
        offsets[i] = at
        piece = safe_str(ch, console) if not (is_plain(ch) and ch.isascii()) else ch
        pieces.append(piece)
        at += len(piece)
    offsets[len(plain)] = at
    new = text.copy()
    new.plain = "".join(pieces)
    new.spans = [Span(offsets[s.start], offsets[s.end], s.style) for s in text.spans]
    return new


def _cell(value: Any, console: Console) -> Any:
    if isinstance(value, Text):
        return safe_text(value, console)
    if isinstance(value, str):
        return safe_str(value, console)
    return value


def safe_table(table: Table, console: Console) -> Table:
    """Replace, in place, every text of a table (title, caption, headers, footers, cells),
    so the table measures the text it will show."""
    table.title = _cell(table.title, console)
    table.caption = _cell(table.caption, console)
    for column in table.columns:
        column.header = _cell(column.header, console)
        column.footer = _cell(column.footer, console)
        cells = getattr(column, "_cells", None)
        if isinstance(cells, list):
            cells[:] = [_cell(c, console) for c in cells]
    return table


def screen(renderable: RenderableType, console: Console) -> RenderableType:
    """`renderable` with the texts it holds made safe for `console`, through groups: what
    SafeConsole does at print time, for a renderable printed by any rich Console (a
    notebook's, `rich.print`). Renderables that lay out text themselves (FittedTable,
    SummaryTable, Hanging) make it safe there."""
    if isinstance(renderable, str):
        return safe_str(renderable, console)
    if isinstance(renderable, Text):
        return safe_text(renderable, console)
    if isinstance(renderable, Table):
        return safe_table(renderable, console)
    if isinstance(renderable, Group):
        return Group(*(screen(r, console) for r in renderable.renderables),
                     fit=renderable.fit)
    return renderable


class Screened:
    """A renderable shown safely on whatever console prints it (see `screen`)."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield screen(self.renderable, console)


class SafeConsole(Console):
    """A rich Console that applies the module's rules to everything it prints."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        kwargs.setdefault("emoji", False)
        kwargs.setdefault("highlight", False)
        super().__init__(*args, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(safe_str(text, self), **kwargs)

    def render(self, renderable: RenderableType,
               options: ConsoleOptions | None = None) -> Iterable[Segment]:
        if isinstance(renderable, (Text, Table)):
            renderable = screen(renderable, self)
        codec = _codec(self.encoding)
        for segment in super().render(renderable, options):
            text = segment.text
            if segment.control is None and text and (
                    UNSAFE.search(text) or (codec is not None and not text.isascii()
                                            and not all(_fits(c, codec) for c in text))):
                # Only a renderable that lays out text itself gets here: keep its width.
                text = "".join("?" if UNSAFE.match(c) or (codec and not _fits(c, codec))
                               else c for c in text)
                segment = Segment(text, segment.style, segment.control)
            yield segment
