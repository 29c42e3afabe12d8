"""A Mermaid flowchart of a spec, for Markdown READMEs that render Mermaid."""

from __future__ import annotations

from ..calc.summary import Summary
from ..ops.shape import format_shape
from .draw_model import JOIN_SIGN, Fork, Leaf, Node, Plan, Res, family, shortcut_note
from .safe import mermaid_text

_CLASSES = {
    "conv": "fill:#56B4E9,stroke:#000",
    "pool": "fill:#E69F00,stroke:#000,stroke-dasharray:4 2",
    "fc": "fill:#009E73,stroke:#000,color:#fff",
    "norm": "fill:#F0E442,stroke:#000",
    "act": "fill:#CC79A7,stroke:#000",
    "other": "fill:#DDDDDD,stroke:#000",
    "join": "fill:#FFFFFF,stroke:#000,stroke-width:2px",
}


def _quote(*lines: str) -> str:
    """Mermaid label lines in double quotes; entity codes stand in for every character that
    could end the label or become markup (render.safe.mermaid_text)."""
    return '"' + "<br/>".join(mermaid_text(text) for text in lines) + '"'


class _Mermaid:
    def __init__(self, convention: str) -> None:
        self.conv = convention
        self.lines: list[str] = []
        self.count = 0
        self.last = "n0"

    def ident(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def walk(self, nodes: tuple[Node, ...], indent: str) -> None:
        for n in nodes:
            if isinstance(n, Leaf):
                me = self.ident("n")
                info = n.info
                label = _quote(info.spec, format_shape(info.output_shape, self.conv))
                self.lines.append(f"{indent}{me}[{label}]:::{family(info.kind)}")
                self.lines.append(f"{indent}{self.last} --> {me}")
                self.last = me
            elif isinstance(n, Fork):
                self.fork(n, indent)
            elif isinstance(n, Res):
                before, sub = self.last, self.ident("r")
                self.lines.append(f"{indent}subgraph {sub}[{_quote('residual')}]")
                self.walk(n.body, indent + "  ")
                self.lines.append(f"{indent}end")
                note = _quote(f"skip: {shortcut_note(n.info)}")
                self.lines.append(f"{indent}{before} -.->|{note}| {self.last}")
            else:
                sub = self.ident("g")
                self.lines.append(f"{indent}subgraph {sub}[{_quote(f'×{n.times}')}]")
                self.walk(n.body, indent + "  ")
                self.lines.append(f"{indent}end")


    def fork(self, n: Fork, indent: str) -> None:
        """Each branch in a subgraph of its own, side by side; the join node after them."""
        before, ends = self.last, []
        for b, branch in enumerate(n.branches, 1):
            if not branch:  # the input itself goes to the join
                ends.append(before)
                continue
            sub = self.ident("b")
            self.lines.append(f"{indent}subgraph {sub}[{_quote(f'{n.info.path}.b{b}')}]")
            self.last = before
            self.walk(branch, indent + "  ")
            self.lines.append(f"{indent}end")
            ends.append(self.last)
        me = self.ident("n")
        label = _quote(f"{n.info.kind} {JOIN_SIGN[n.info.kind]}",
                       format_shape(n.info.output_shape, self.conv))
        self.lines.append(f"{indent}{me}(({label})):::join")
        for end in ends:
            self.lines.append(f"{indent}{end} --> {me}")
        self.last = me


def to_mermaid(summary: Summary, p: Plan, title: str) -> str:
    m = _Mermaid(summary.convention)
    head = ["flowchart TD"]
    if title:
        head.append(f"  %% {_quote(title)}")
    m.lines.append(f"  n0[{_quote('input', format_shape(summary.input_shape, m.conv))}]")
    m.walk(p.nodes, "  ")
    if p.cut:
        m.lines.append(f"  more[{_quote(f'{p.cut:,} more layers not drawn')}]")
        m.lines.append(f"  {m.last} -.-> more")
    tail = [f"  classDef {k} {v}" for k, v in _CLASSES.items()]
    return "\n".join(head + m.lines + tail) + "\n"
