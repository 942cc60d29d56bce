"""The interactive graph page: views (what to show), layout (where), page (the HTML file).

``kg build`` and ``kg viz`` call :func:`write_html`; the stages are usable on
their own (``views.overview(kg, 2000)``, ``layout.ring_layout(...)``,
``page.render_page(view, title)``). Imports flow one way: views, then
layout, then page, then this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..files import write_atomic
from ..store import KnowledgeGraph
from .page import render_page
from .views import View, VizError, add_cards, aggregated_view, focus_view, load_style, overview, query_view

__all__ = [
    "VizError",
    "VizSummary",
    "View",
    "aggregated_view",
    "focus_view",
    "overview",
    "query_view",
    "render_page",
    "write_html",
]


@dataclass
class VizSummary:
    nodes: int
    edges: int
    folded: dict[str, int] = field(default_factory=dict)


def write_html(
    kg: KnowledgeGraph,
    path: str | Path,
    *,
    focus: str | None = None,
    depth: int = 1,
    query: str | None = None,
    node_budget: int = 2000,
    title: str = "mlkg knowledge graph",
) -> VizSummary:
    """Write the interactive view to *path*; returns what was drawn and folded."""
    if focus and query:
        raise VizError("give a focus or a query, not both")
    if node_budget < 1:
        raise VizError("the node budget must be at least 1")
    if query:
        view = query_view(kg, query, node_budget)
    elif focus:
        view = focus_view(kg, focus, depth, node_budget)
    else:
        view = overview(kg, node_budget)
    if not view.aggregated:
        add_cards(kg, view, load_style()["tooltip"]["max_sources"])
    write_atomic(Path(path), render_page(view, title))
    return VizSummary(nodes=len(view.nodes), edges=len(view.edges), folded=dict(view.folded))
