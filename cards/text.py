"""Plain text for a card: the fallback where cards don't render, and the terminal chat's view."""

from __future__ import annotations

from typing import Any

from cards.markdown import unescape_markdown


def plain_text(card: dict[str, Any]) -> str:
    lines: list[str] = []
    for element in card.get("body", []):
        _element_lines(element, lines)
    return "\n".join(line for line in lines if line.strip())


def _element_lines(element: dict[str, Any], lines: list[str]) -> None:
    kind = element.get("type")
    if kind == "TextBlock":
        lines.append(unescape_markdown(str(element.get("text", ""))))
    elif kind == "FactSet":
        for fact in element.get("facts", []):
            title = unescape_markdown(str(fact.get("title", "")))
            lines.append(f"{title}: {unescape_markdown(str(fact.get('value', '')))}")
    elif kind in ("Container", "Column"):
        for child in element.get("items", []):
            _element_lines(child, lines)
    elif kind == "Table":
        for row in element.get("rows", []):
            cells: list[str] = []
            for cell in row.get("cells", []):
                for child in cell.get("items", []):
                    _element_lines(child, cells)
            lines.append(" | ".join(cells))
    elif kind == "ColumnSet":
        for column in element.get("columns", []):
            _element_lines({"type": "Column", **column}, lines)
