"""Generated blocks of the docs: which file holds which rendering, between which markers.

``velora marts docs`` rewrites them; ``velora marts docs --check`` (and a unit test) fails when
one is stale, so docs/metrics.md and docs/warehouse.md always say what the registries say.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.marts import accuracy_doc, definitions, tables_doc


@dataclass(frozen=True)
class DocBlock:
    document: str  # path relative to the repository root
    begin: str
    end: str
    render: Callable[[], str]  # the whole block, markers included


DOC_BLOCKS = (
    DocBlock(
        "docs/metrics.md",
        definitions.BEGIN_MARKER,
        definitions.END_MARKER,
        definitions.render_markdown,
    ),
    DocBlock(
        "docs/warehouse.md",
        tables_doc.BEGIN_MARKER,
        tables_doc.END_MARKER,
        tables_doc.render_markdown,
    ),
    DocBlock(
        "docs/metrics.md",
        accuracy_doc.BEGIN_MARKER,
        accuracy_doc.END_MARKER,
        accuracy_doc.render_markdown,
    ),
)


def replace_block(text: str, block: DocBlock) -> str:
    """``text`` with ``block`` re-rendered in place (appended when its markers are missing)."""
    rendered = block.render()
    start, end = text.find(block.begin), text.find(block.end)
    if start < 0 or end < start:
        return text.rstrip("\n") + "\n\n" + rendered + "\n"
    return text[:start] + rendered + text[end + len(block.end) :]


def stale_documents(root: Path) -> list[str]:
    """The documents under ``root`` whose generated block differs from the registries."""
    stale = []
    for block in DOC_BLOCKS:
        text = (root / block.document).read_text(encoding="utf-8")
        if replace_block(text, block) != text:
            stale.append(block.document)
    return stale


def write_documents(root: Path) -> list[str]:
    """Rewrite every stale block under ``root``; returns the documents changed."""
    changed = stale_documents(root)
    for block in DOC_BLOCKS:
        if block.document in changed:
            path = root / block.document
            path.write_text(replace_block(path.read_text(encoding="utf-8"), block), "utf-8")
    return changed
