"""The graph page: one offline HTML file with vis-network, the view's data as JSON, and our script.

The vis-network script and style are read from the installed pyvis package
and inlined; the template, style sheet and script are ``kg/static/graph.*``.
Every piece of text from the documents reaches the DOM through
``textContent`` only, so a model named like an HTML tag stays text, and a
Content-Security-Policy allows exactly the two inline scripts (by hash) and
nothing from the network.
"""

from __future__ import annotations

import html
import math
from functools import lru_cache
from pathlib import Path

from .layout import paper_groups, ring_layout, spiral_layout, spring_layout
from .values import readable
from .views import View, VizError, load_style, style_of
from ..pages import render, static_text

VIS_VERSION = "vis-9.1.2"
#: Up to this many nodes the aggregated view is laid out in Python with physics off.
SPRING_LIMIT = 250
#: Browser-side physics iterations for larger aggregated views (then physics is switched off).
STABILIZATION_ITERATIONS = 120


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's script and style sheet, read from the installed pyvis."""
    import pyvis

    folder = Path(pyvis.__file__).parent / "lib" / VIS_VERSION
    try:
        script = (folder / "vis-network.min.js").read_text(encoding="utf-8")
        css = (folder / "vis-network.css").read_text(encoding="utf-8")
    except OSError as err:
        raise VizError(f"cannot read vis-network from the pyvis package ({folder}): {err}") from err
    return script.replace("</script", "<\\/script"), css.replace("</style", "<\\/style")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sizes(view: View, degree: dict[str, int]) -> dict[str, float]:
    bounds = load_style()["size"]
    low, high = bounds["min"], bounds["max"]
    if view.aggregated:
        top = max((node.runs or 0 for node in view.nodes.values()), default=0)
        return {
            iri: low + (high - low) * (math.log1p(node.runs or 0) / math.log1p(top) if top else 0)
            for iri, node in view.nodes.items()
        }
    top = max(degree.values(), default=0)
    sizes = {}
    for iri, node in view.nodes.items():
        params = node.facts.get("parameterCount")
        if node.cls == "Model" and isinstance(params, (int, float)) and params > 0:
            share = (math.log10(params) - 5) / 8  # 100k .. 10T parameters
        else:
            share = math.sqrt(degree.get(iri, 0) / top) if top else 0
        sizes[iri] = (low + (high - low) * min(max(share, 0.0), 1.0)) * style_of(node.cls).get("scale", 1.0)
    return sizes


def positions(view: View, degree: dict[str, int]) -> tuple[dict[str, tuple[float, float]], bool]:
    """Where each node goes, and whether the browser still has to settle them with physics."""
    edges = [(e.source, e.target) for e in view.edges]
    rank = {cls: i for i, cls in enumerate(load_style()["order"])}
    if not view.aggregated:
        return ring_layout({iri: node.cls for iri, node in view.nodes.items()}, edges, rank), False
    if len(view.nodes) <= SPRING_LIMIT:
        placed = spring_layout(sorted(view.nodes), edges)
        physics = False
    else:
        placed = spiral_layout(sorted(view.nodes, key=lambda iri: (-(view.nodes[iri].runs or degree.get(iri, 0)), iri)))
        physics = True
    extent = max((max(abs(x), abs(y)) for x, y in placed.values()), default=0.0) or 1.0
    spread = 100.0 * math.sqrt(max(len(view.nodes), 1)) / extent
    return {iri: (x * spread, y * spread) for iri, (x, y) in placed.items()}, physics


def label_zooms(view: View, degree: dict[str, int]) -> dict[str, float]:
    """From which zoom on each label shows: a paper's group when zoomed in, the most linked shared nodes always."""
    rules = load_style()["labels"]
    if view.aggregated:
        groups: list[list[str]] = []
        shared = list(view.nodes)
    else:
        groups, shared = paper_groups(
            {iri: node.cls for iri, node in view.nodes.items()}, [(e.source, e.target) for e in view.edges]
        )
    zooms = {iri: rules["local_zoom"] for members in groups for iri in members}
    ranked = sorted(shared, key=lambda iri: (-(view.nodes[iri].runs or degree.get(iri, 0)), iri))
    for i, iri in enumerate(ranked):
        zooms[iri] = 0.0 if i < rules["always"] else rules["shared_zoom"]
    return zooms


def network_data(view: View) -> dict:
    """The nodes, edges and vis options of a view, as the page's script reads them."""
    degree: dict[str, int] = {}
    for edge in view.edges:
        degree[edge.source] = degree.get(edge.source, 0) + 1
        degree[edge.target] = degree.get(edge.target, 0) + 1
    style = load_style()
    rank = {cls: i for i, cls in enumerate(style["order"])}
    placed, physics = positions(view, degree)
    sizes = _sizes(view, degree)
    zooms = label_zooms(view, degree)
    nodes = []
    for iri in sorted(view.nodes, key=lambda i: (rank.get(view.nodes[i].cls, len(rank)), i)):
        node = view.nodes[iri]
        look = style_of(node.cls)
        x, y = placed[iri]
        nodes.append(
            {
                "id": iri,
                "label": _clip(node.label, style["labels"]["max_chars"]) or iri,
                "shape": look["shape"],
                "color": look["color"],
                "size": round(sizes[iri], 1),
                "x": round(x, 1),
                "y": round(y, 1),
                "font": {"size": look.get("font", style["font"])},
                "cls": node.cls if node.cls in style["classes"] else "Other",
                "fullLabel": node.label,
                "labelZoom": zooms[iri],
            }
        )
    heaviest = max((edge.weight or 0 for edge in view.edges), default=0)
    edges = []
    for edge in view.edges:
        entry: dict = {"from": edge.source, "to": edge.target, "prop": edge.prop}
        if edge.weight is not None:
            width = 1 + 5 * math.log1p(edge.weight) / math.log1p(heaviest)
            entry.update(weight=edge.weight, width=round(width, 2), arrows={"to": {"enabled": False}})
        edges.append(entry)
    options = {
        "autoResize": True,
        "nodes": {
            "borderWidth": 1,
            "font": {"size": 14, "face": "sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
        },
        "edges": {
            "color": {"color": style["edge"]["color"], "highlight": style["edge"]["highlight"], "opacity": 0.6},
            "smooth": False,
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}},
        },
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": len(nodes) > SPRING_LIMIT,
            "navigationButtons": False,
        },
        "physics": {
            "enabled": physics,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -4000, "springLength": 110, "avoidOverlap": 0.3},
            "stabilization": {
                "enabled": physics,
                "iterations": STABILIZATION_ITERATIONS,
                "updateInterval": 40,
                "fit": True,
            },
        },
    }
    return {"nodes": nodes, "edges": edges, "options": options, "physics": physics}


def shown_facts(facts: dict) -> list[list[str]]:
    """A node's facts as a card lists them: named for a reader, in the style's order, values readable."""
    specs = load_style()["facts"]
    replaced = {specs[name]["replaces"] for name in facts if "replaces" in specs.get(name, {})}
    joined = {specs[name]["with"] for name in facts if "with" in specs.get(name, {})}
    order = {name: i for i, name in enumerate(specs)}
    shown = []
    for name in sorted(facts, key=lambda n: (order.get(n, len(order)), n)):
        if name in replaced or name in joined:
            continue
        spec = specs.get(name, {})
        text = readable(facts[name], spec.get("as", ""), spec.get("unit", ""))
        if "with" in spec and spec["with"] in facts:
            text += f" ({facts[spec['with']]})"
        shown.append([spec.get("name", name), text])
    return shown


def details(view: View) -> dict:
    """Each node's card: its facts, the nodes a run names, and each fact in its paper's words."""
    limits = load_style()["tooltip"]
    names = load_style()["facts"]
    cards = {}
    for iri, node in view.nodes.items():
        cards[iri] = {
            "iri": iri,
            "named": [[role, _clip(label, limits["max_chars"])] for role, label in node.named],
            "facts": [[name, _clip(text, limits["max_chars"])] for name, text in shown_facts(node.facts)][
                : limits["max_facts"]
            ],
            "words": [
                [names.get(w.prop, {}).get("name", w.prop), w.text, w.sentence, w.at]
                for w in node.words[: limits["max_sources"]]
            ],
        }
    return cards


def legend(view: View) -> list[dict]:
    style = load_style()
    counts: dict[str, int] = {}
    for node in view.nodes.values():
        cls = node.cls if node.cls in style["classes"] else "Other"
        counts[cls] = counts.get(cls, 0) + 1
    return [
        {"cls": cls, "count": counts[cls], "color": style_of(cls)["color"], "glyph": style_of(cls)["glyph"]}
        for cls in style["order"]
        if cls in counts
    ]


def render_page(view: View, title: str) -> str:
    """The complete HTML page: our template, vis-network inlined, data as JSON."""
    data = network_data(view)
    data.update(details=details(view), legend=legend(view))
    vis_js, vis_css = vis_assets()
    summary = f"{len(data['nodes']):,} nodes · {len(data['edges']):,} edges"
    parts = {
        "SUMMARY": html.escape(summary),
        "NOTE": html.escape(view.note),
        "NOTE_HIDDEN": "" if view.note else " hidden",
        "VIS_CSS": vis_css,
        "APP_CSS": static_text("graph.css"),
    }
    return render("graph.html", title, data, vis_js, static_text("graph.js"), parts)
