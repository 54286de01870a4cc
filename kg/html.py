"""The interactive HTML relationship map: one self-contained, offline page.

:func:`filter_graph` cuts a knowledge graph down to what a reader asked for;
:func:`write_map` draws it with vis-network into a single HTML file that needs no
network at all: the vis-network script (shipped inside pyvis) is inlined, and a
Content-Security-Policy forbids every fetch.

Every string in the graph comes from untrusted news articles, so the page treats
it as data only: it travels as JSON inside ``<script type="application/json">``
with ``<``, ``>`` and ``&`` escaped, and the page's own script builds the DOM with
``textContent``. Only ``http``/``https`` URLs ever become links.

Above :data:`LARGE_GRAPH` nodes the layout is computed here, in Python, and
physics is off, so big maps are interactive at once; smaller maps let
vis-network's physics settle for a bounded number of iterations, then freeze.

>>> G = example_graph()
>>> html = render_map(G, built_at="2024-06-01T00:00:00+00:00")
>>> "2 entities" in html and "1 relation" in html
True
>>> "<script src=" in html
False
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import pathlib
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import jinja2
import networkx as nx
import numpy as np

from kg.errors import GraphError, InputError
from kg.records import ENTITY_TYPES, RELATIONS, SYMMETRIC, Evidence

__all__ = ["LARGE_GRAPH", "filter_graph", "render_map", "write_map", "example_graph"]

#: Above this many nodes the layout is computed in Python and physics stays off.
LARGE_GRAPH = 1000

#: Entity type -> (fill colour, vis-network shape). Okabe-Ito colours stay
#: distinguishable for colour-blind readers; shapes carry the type without colour.
TYPE_STYLES: dict[str, tuple[str, str]] = {
    "Company": ("#0072B2", "dot"),
    "Brand": ("#E69F00", "star"),
    "Marketplace": ("#009E73", "square"),
    "GovernmentBody": ("#D55E00", "triangle"),
    "Country": ("#56B4E9", "hexagon"),
    "Person": ("#CC79A7", "triangleDown"),
    "Organization": ("#7F7F7F", "diamond"),
}
#: Relation -> edge colour; relations outside the ontology are drawn grey.
RELATION_COLOURS: dict[str, str] = {
    "signedMOU": "#1F77B4",
    "listedOn": "#FF7F0E",
    "investedIn": "#2CA02C",
    "fightsCounterfeitWith": "#D62728",
    "operates": "#9467BD",
}
_OTHER_RELATION_COLOUR = "#999999"
#: Legend glyph for each vis shape (the legend is HTML, not canvas).
_GLYPHS = {"dot": "●", "star": "★", "square": "■", "triangle": "▲", "hexagon": "⬢",
           "triangleDown": "▼", "diamond": "◆"}

_PIXELS_PER_UNIT = 90.0  # layout unit (ideal edge length) -> vis canvas pixels
_LAYOUT_SEED = 7


# --------------------------------------------------------------------------- filtering

def filter_graph(G: nx.MultiDiGraph, *, relations: Iterable[str] | None = None,
                 types: Iterable[str] | None = None, min_confidence: float = 0.0,
                 since: date | str | None = None, until: date | str | None = None,
                 focus: str | None = None, depth: int = 1) -> nx.MultiDiGraph:
    """Return a new graph holding only the part of ``G`` a reader asked for.

    ``G`` is never modified; the result has its own attribute dicts.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Nodes keyed by entity IRI with ``label``/``type``/``qid`` (``aliases``
        optional); edges keyed by relation with ``relation``/``confidence``/
        ``sources``/``first_date``.
    relations : iterable of str, optional
        Keep only edges of these relations (names from ``kg.records.RELATIONS``).
    types : iterable of str, optional
        Keep only nodes of these entity types (and edges between them).
    min_confidence : float
        Keep edges whose confidence is at least this (0..1).
    since, until : datetime.date or ISO date str, optional
        Keep edges whose ``first_date`` lies in ``[since, until]``. Edges without
        a date are kept unless one of the two is given.
    focus : str, optional
        An entity IRI, label or alias (case-insensitive): keep only its
        neighbourhood.
    depth : int
        Radius of the focus neighbourhood, ignoring edge direction.

    Returns
    -------
    networkx.MultiDiGraph
        When an edge filter (relations, confidence, dates) is given, entities left
        without any edge are dropped, so the map shows the matching relationships
        rather than every entity; the focus entity itself always stays.

    Raises
    ------
    kg.errors.InputError
        Unknown relation/type names, a confidence outside 0..1, a reversed date
        range, a negative depth, or a focus that names no (or several) entities.

    Examples
    --------
    >>> G = example_graph()
    >>> H = filter_graph(G, relations=["listedOn"], min_confidence=0.5)
    >>> sorted(H.nodes[n]["label"] for n in H)
    ['Alibaba Group', 'Tmall']
    >>> filter_graph(G, min_confidence=0.95).number_of_edges()
    0
    >>> filter_graph(G, focus="tmall", depth=1).number_of_nodes()
    2
    >>> filter_graph(G, focus="Nobody")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: No entity named 'Nobody' in the graph; try `kg stats` to list entities
    """
    keep_relations = _choices(relations, RELATIONS, "relation")
    keep_types = _choices(types, ENTITY_TYPES, "type")
    if not 0.0 <= min_confidence <= 1.0:
        raise InputError(f"Minimum confidence must be between 0 and 1, not {min_confidence}")
    start, end = _as_date(since, "since"), _as_date(until, "until")
    if start and end and start > end:
        raise InputError(f"The date range is empty: since {start} is after until {end}")
    if depth < 0:
        raise InputError(f"Focus depth must be 0 or more, not {depth}")
    center = _resolve_focus(G, focus) if focus is not None else None

    nodes = [n for n, t in G.nodes(data="type")
             if keep_types is None or _style_type(t) in keep_types]
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from((n, dict(G.nodes[n])) for n in nodes)
    for u, v, key, attrs in G.edges(keys=True, data=True):
        if u in H and v in H and _edge_wanted(key, attrs, keep_relations, min_confidence,
                                             start, end):
            H.add_edge(u, v, key=key, **attrs)

    edge_filtered = (keep_relations is not None or min_confidence > 0
                     or start is not None or end is not None)
    if edge_filtered:
        H.remove_nodes_from([n for n in list(H) if H.degree(n) == 0 and n != center])
    if center is not None:
        H = _ego_graph(H, center, depth) if center in H else _empty_like(H)
    return H


def _choices(values: Iterable[str] | None, allowed: tuple[str, ...],
             what: str) -> frozenset[str] | None:
    """The requested names as a set, or None for "all"; typos are errors, not no-ops."""
    if values is None:
        return None
    chosen = frozenset([values] if isinstance(values, str) else values)
    unknown = sorted(chosen - set(allowed))
    if unknown:
        raise InputError(f"Unknown {what} {', '.join(map(repr, unknown))}; "
                         f"choose from {', '.join(allowed)}")
    return chosen


def _as_date(value: date | str | None, name: str) -> date | None:
    """Accept a date or an ISO ``YYYY-MM-DD`` string (as typed on a command line)."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"'{name}' must be a date like 2024-01-31, not {value!r}") from None


def _edge_wanted(key: Any, attrs: Mapping[str, Any], relations: frozenset[str] | None,
                 min_confidence: float, start: date | None, end: date | None) -> bool:
    """Whether one edge passes the relation, confidence and date filters."""
    if relations is not None and _relation(key, attrs) not in relations:
        return False
    if float(attrs.get("confidence") or 0.0) < min_confidence:
        return False
    if start is None and end is None:
        return True
    when = attrs.get("first_date")
    if not isinstance(when, date):
        return False  # a date range was asked for, and this fact has no date
    when = when.date() if isinstance(when, datetime) else when
    return (start is None or when >= start) and (end is None or when <= end)


def _resolve_focus(G: nx.MultiDiGraph, focus: str) -> str:
    """The node a focus string names: its IRI, else its label or an alias.

    Exact matches win over case-insensitive ones, and labels over aliases, so
    "Alibaba" finds the entity whose alias it is unless another is labelled so.
    """
    if focus in G:
        return focus
    wanted = focus.strip()
    for fold in (str, str.casefold):
        for names in (_labels_of, _aliases_of):
            hits = sorted(n for n, attrs in G.nodes(data=True)
                          if fold(wanted) in {fold(name) for name in names(n, attrs)})
            if len(hits) == 1:
                return hits[0]
            if hits:
                raise InputError(f"'{focus}' names {len(hits)} entities "
                                 f"({', '.join(hits[:5])}); pass one of these IRIs as the focus")
    raise InputError(f"No entity named '{focus}' in the graph; try `kg stats` to list entities")


def _labels_of(node: Any, attrs: Mapping[str, Any]) -> tuple[str, ...]:
    label = attrs.get("label")
    return (str(label if label is not None else node),)


def _aliases_of(node: Any, attrs: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(a) for a in attrs.get("aliases") or ())


def _ego_graph(H: nx.MultiDiGraph, center: str, depth: int) -> nx.MultiDiGraph:
    """Nodes within ``depth`` hops of ``center`` either way, with the edges among them."""
    seen, frontier = {center}, [center]
    for _ in range(depth):
        reached = []
        for n in frontier:
            for m in (*H.successors(n), *H.predecessors(n)):
                if m not in seen:
                    seen.add(m)
                    reached.append(m)
        frontier = reached
    sub = H.subgraph(seen).copy()  # copy(): detach from H's attribute dicts
    sub.graph.update(H.graph)
    return sub


def _empty_like(H: nx.MultiDiGraph) -> nx.MultiDiGraph:
    E = nx.MultiDiGraph()
    E.graph.update(H.graph)
    return E


# --------------------------------------------------------------------------- rendering

def write_map(G: nx.MultiDiGraph, path: str | pathlib.Path, *, title: str | None = None,
              built_at: datetime | str | None = None, **filters: Any) -> pathlib.Path:
    """Write the interactive map of ``G`` to one self-contained HTML file.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph (see :func:`filter_graph`); it is not modified.
    path : str or pathlib.Path
        Where to write; parent directories are created.
    title : str, optional
        Page title; defaults to ``G.graph["title"]``, then "Knowledge graph".
    built_at : datetime or str, optional
        Build time shown in the header; defaults to now, in UTC ISO format.
    **filters
        Any keyword of :func:`filter_graph`.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    kg.errors.InputError
        A bad filter (see :func:`filter_graph`).
    kg.errors.GraphError
        The file cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> out = write_map(example_graph(), pathlib.Path(tempfile.mkdtemp()) / "map.html",
    ...                 title="Demo", relations=["listedOn"])
    >>> out.name, "Demo" in out.read_text(encoding="utf-8")
    ('map.html', True)
    """
    html = render_map(G, title=title, built_at=built_at, **filters)
    target = pathlib.Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8", newline="") as out:
            out.write(html)
    except OSError as exc:
        raise GraphError(f"Cannot write the map to {target}: {exc.strerror or exc}") from exc
    return target


def render_map(G: nx.MultiDiGraph, *, title: str | None = None,
               built_at: datetime | str | None = None, **filters: Any) -> str:
    """Return the map page as a string; :func:`write_map` without the file.

    Examples
    --------
    >>> html = render_map(example_graph(), title="<b>x</b>", built_at="2024-06-01")
    >>> "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    True
    """
    H = filter_graph(G, **filters)
    page_title = str(title or G.graph.get("title") or "Knowledge graph")
    stamp = _stamp(built_at)
    data = _page_data(H, page_title, stamp, _filter_summary(G, filters))
    vis_js, app_js = _vis_js(), _app_js()
    return _template().render(
        title=page_title,
        built_at=stamp,
        summary=data["summary"],
        n_nodes=len(data["nodes"]),
        counts=f"{_plural(len(data['nodes']), 'entity', 'entities')} · "
               f"{_plural(len(data['edges']), 'relation', 'relations')}",
        types=_type_legend(data["nodes"]),
        relations=_relation_legend(data["edges"], data["relations"]),
        csp=_content_security_policy([vis_js, app_js]),
        data_json=_script_json(data),
        vis_js=vis_js,
        app_js=app_js,
    )


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _stamp(built_at: datetime | str | None) -> str:
    if built_at is None:
        built_at = datetime.now(timezone.utc)
    if isinstance(built_at, datetime):
        return built_at.isoformat(timespec="seconds")
    return str(built_at)


def _filter_summary(G: nx.MultiDiGraph, filters: Mapping[str, Any]) -> str:
    """One line saying what the map shows, e.g. "listedOn · confidence ≥ 0.5"."""
    parts = []
    if filters.get("relations") is not None:
        parts.append("relations: " + ", ".join(sorted(_choices(filters["relations"],
                                                               RELATIONS, "relation") or ())))
    if filters.get("types") is not None:
        parts.append("types: " + ", ".join(sorted(_choices(filters["types"],
                                                           ENTITY_TYPES, "type") or ())))
    if filters.get("min_confidence"):
        parts.append(f"confidence ≥ {float(filters['min_confidence']):g}")
    start = _as_date(filters.get("since"), "since")
    end = _as_date(filters.get("until"), "until")
    if start or end:
        parts.append(f"first reported {start or '…'} to {end or '…'}")
    if filters.get("focus") is not None:
        center = _resolve_focus(G, filters["focus"])
        label = G.nodes[center].get("label") or center
        parts.append(f"within {filters.get('depth', 1)} hop(s) of {label}")
    return " · ".join(parts) if parts else "all entities and relations"


# --------------------------------------------------------------------------- page data

def _page_data(H: nx.MultiDiGraph, title: str, built_at: str, summary: str) -> dict[str, Any]:
    """Everything the page script needs, as JSON-ready values (sorted: deterministic)."""
    order = sorted(H.nodes, key=str)
    index = {n: i for i, n in enumerate(order)}
    edges = sorted(H.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2])))
    large = len(order) > LARGE_GRAPH
    src = np.fromiter((index[u] for u, *_ in edges), dtype=np.int64, count=len(edges))
    dst = np.fromiter((index[v] for _, v, *_ in edges), dtype=np.int64, count=len(edges))
    positions = _layout(len(order), src, dst) if order else np.zeros((0, 2))
    degree = np.bincount(np.concatenate([src, dst]), minlength=len(order))
    relations = list(RELATIONS) + sorted({_relation(k, a) for *_, k, a in edges} - set(RELATIONS))
    articles = _ArticleTable()
    edge_records = _edge_records(edges, index, large, articles)
    return {
        "title": title,
        "built_at": built_at,
        "summary": summary,
        "large": large,
        "options": _vis_options(len(order)),
        "types": {t: {"color": c, "shape": s} for t, (c, s) in TYPE_STYLES.items()},
        "relations": {r: {"color": RELATION_COLOURS.get(r, _OTHER_RELATION_COLOUR),
                          "directed": r not in SYMMETRIC} for r in relations},
        "nodes": [_node_record(n, H.nodes[n], positions[i], int(degree[i]), large)
                  for i, n in enumerate(order)],
        "edges": edge_records,
        "articles": articles.records,
    }


def _node_record(iri: str, attrs: Mapping[str, Any], xy: np.ndarray, degree: int,
                 large: bool) -> dict[str, Any]:
    label = str(attrs.get("label") or iri)
    qid = attrs.get("qid")
    base, step, cap = (6.0, 2.0, 24.0) if large else (12.0, 3.0, 36.0)
    record = {
        "iri": str(iri),
        "label": label,
        "type": _style_type(attrs.get("type")),
        "qid": str(qid) if qid else None,
        "wikidata": _wikidata_href(qid),
        "x": round(float(xy[0]), 1),
        "y": round(float(xy[1]), 1),
        "size": round(min(cap, base + step * math.log2(1 + degree)), 1),
    }
    aliases = sorted(set(_aliases_of(iri, attrs)) - {label})
    if aliases:  # most entities have none; big maps should not carry empty lists
        record["aliases"] = aliases
    return record


def _edge_records(edges: list[tuple[Any, Any, Any, dict[str, Any]]], index: Mapping[Any, int],
                  large: bool, articles: _ArticleTable) -> list[dict[str, Any]]:
    """Edge records; parallel edges between one pair get increasing ``curve`` so none hide."""
    seen_pairs: Counter[tuple[int, int]] = Counter()
    records = []
    for u, v, key, attrs in edges:
        a, b = index[u], index[v]
        pair = (min(a, b), max(a, b))
        curve = 0 if large else seen_pairs[pair]
        seen_pairs[pair] += 1
        sources = sorted(attrs.get("sources") or (), key=_evidence_order)
        records.append({
            "from": a,
            "to": b,
            "relation": _relation(key, attrs),
            "confidence": _confidence(attrs.get("confidence")),
            "first_date": _iso(attrs.get("first_date")),
            "width": round(min(8.0, 1.0 + 1.5 * math.log2(max(1, len(sources)))), 2),
            "curve": curve,
            "sources": [_evidence_record(ev, articles) for ev in sources],
        })
    return records


def _evidence_order(ev: Evidence) -> tuple[Any, ...]:
    """Oldest first, undated last; ties broken by article id for a stable page."""
    published = getattr(ev, "published", None)
    return (published is None, _iso(published) or "", str(getattr(ev, "article_id", "")),
            str(getattr(ev, "sentence", "")))


def _evidence_record(ev: Evidence, articles: _ArticleTable) -> dict[str, Any]:
    return {
        "article": articles.index(ev),
        "sentence": str(getattr(ev, "sentence", "")),
        "confidence": _confidence(getattr(ev, "confidence", None)),
        "rule": str(getattr(ev, "rule", "")),
        "status": str(getattr(ev, "status", "")),
    }


class _ArticleTable:
    """Article id, title, URL and date, stored once however many facts cite the article.

    One news article usually yields several facts; repeating its title and URL in
    every piece of evidence would make big maps needlessly heavy.
    """

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self._seen: dict[tuple[Any, ...], int] = {}

    def index(self, ev: Evidence) -> int:
        url = _opt_str(getattr(ev, "url", None))
        record = {
            "id": str(getattr(ev, "article_id", "")),
            "title": _opt_str(getattr(ev, "title", None)),
            "url": url,
            "href": _safe_href(url),  # only web URLs become links
            "published": _iso(getattr(ev, "published", None)),
        }
        key = tuple(record.values())
        if key not in self._seen:
            self._seen[key] = len(self.records)
            self.records.append(record)
        return self._seen[key]


def _safe_href(url: Any) -> str | None:
    """``url`` if it is a plain http(s) web address, else None (``javascript:`` etc.).

    >>> _safe_href("https://example.com/a?b=1"), _safe_href("javascript:alert(1)")
    ('https://example.com/a?b=1', None)
    >>> _safe_href(" JaVaScRiPt:alert(1)"), _safe_href("http:///nohost")
    (None, None)
    """
    if not isinstance(url, str) or any(c in url for c in "\t\n\r\x00 "):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def _wikidata_href(qid: Any) -> str | None:
    """The Wikidata page of a well-formed QID; anything else gets no link."""
    text = str(qid) if qid else ""
    if len(text) > 1 and text[0] in "Qq" and text[1:].isascii() and text[1:].isdigit():
        return f"https://www.wikidata.org/wiki/Q{text[1:]}"
    return None


def _vis_options(n_nodes: int) -> dict[str, Any]:
    """vis-network options: static and label-free edges when large, capped physics when not.

    Physics starts from Python's layout, so it only has to tidy up: the iteration cap
    shrinks as graphs grow (200 up to 250 nodes, 50 near :data:`LARGE_GRAPH`), which
    keeps every map interactive within a couple of seconds.
    """
    large = n_nodes > LARGE_GRAPH
    physics: dict[str, Any] = {"enabled": False}
    if n_nodes and not large:
        physics = {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -4000, "springLength": 110,
                          "avoidOverlap": 0.2},
            "stabilization": {"enabled": True, "updateInterval": 50,
                              "iterations": int(min(200, max(50, 50_000 / n_nodes))),
                              "fit": True},
        }
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": _LAYOUT_SEED},
        "physics": physics,
        "nodes": {"borderWidth": 1, "font": {"size": 14, "face": "system-ui, sans-serif"}},
        "edges": {
            "smooth": False,
            "color": {"inherit": False},
            "selectionWidth": 2,
            "font": {"size": 10, "align": "middle", "color": "#444", "strokeWidth": 3},
            "arrows": {"to": {"enabled": False, "scaleFactor": 0.6}},
        },
        "interaction": {"hover": False, "multiselect": False, "navigationButtons": False,
                        "keyboard": False, "hideEdgesOnDrag": large, "hideEdgesOnZoom": large,
                        "tooltipDelay": 300},
    }


def _type_legend(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts = Counter(n["type"] for n in nodes)
    return [{"name": t, "color": c, "glyph": _GLYPHS[s], "shape": s, "count": counts[t]}
            for t, (c, s) in TYPE_STYLES.items()]


def _relation_legend(edges: list[dict[str, Any]],
                     relations: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    counts = Counter(e["relation"] for e in edges)
    return [{"name": r, "color": style["color"], "directed": style["directed"],
             "count": counts[r]} for r, style in relations.items()]


def _relation(key: Any, attrs: Mapping[str, Any]) -> str:
    return str(attrs.get("relation") or key)


def _style_type(value: Any) -> str:
    """The entity type used for styling; anything outside the ontology is an Organization."""
    return value if value in TYPE_STYLES else "Organization"


def _confidence(value: Any) -> float:
    """A confidence fit for JSON: rounded, and 0 when missing or not a finite number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return round(number, 3) if math.isfinite(number) else 0.0


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else None


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


# --------------------------------------------------------------------------- layout

def _layout(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Seeded positions (pixels) for ``n`` nodes: each component laid out, then packed.

    Components are laid out apart and packed in rows because one force layout of a
    whole news graph flings its many small components into a ring far from the core.
    """
    comp_of, comps = _components(n, src, dst)
    local = np.empty(n, dtype=np.int64)
    for members in comps:
        local[members] = np.arange(len(members))
    # Group edge indices by component once, instead of scanning all edges per component.
    edge_comp = comp_of[src]
    by_comp = np.argsort(edge_comp, kind="stable")
    bounds = np.searchsorted(edge_comp[by_comp], np.arange(len(comps) + 1))
    pieces = []
    for c, members in enumerate(comps):
        chosen = by_comp[bounds[c]:bounds[c + 1]]
        pieces.append(_component_layout(len(members), local[src[chosen]], local[dst[chosen]]))
    packed = _pack(pieces)
    positions = np.zeros((n, 2))
    for members, xy in zip(comps, packed):
        positions[members] = xy
    return (positions - positions.mean(axis=0)) * _PIXELS_PER_UNIT


def _components(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Component id per node, and members per component: biggest first, ties by first node."""
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(zip(src.tolist(), dst.tolist()))
    comps = sorted((np.array(sorted(c), dtype=np.int64) for c in nx.connected_components(graph)),
                   key=lambda c: (-len(c), int(c[0])))
    comp_of = np.empty(n, dtype=np.int64)
    for i, members in enumerate(comps):
        comp_of[members] = i
    return comp_of, comps


def _component_layout(k: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Positions of one connected component, about one unit between neighbours."""
    if k <= 2:
        return np.array([[0.0, 0.0], [1.0, 0.0]][:k])
    degree = np.bincount(np.concatenate([src, dst]), minlength=k)
    hub = int(np.argmax(degree))
    if (degree[hub] == len(src) == k - 1) and k <= 50:
        # Many small news components are stars (one company, its partners):
        # hub in the middle, the rest on a ring; no force layout needed.
        angles = np.linspace(0, 2 * np.pi, k - 1, endpoint=False)
        ring = np.column_stack([np.cos(angles), np.sin(angles)]) * max(1.0, (k - 1) / 6)
        return np.insert(ring, hub, [0.0, 0.0], axis=0)
    if k < 300:  # networkx's dense Fruchterman-Reingold is quick and exact this small
        graph = nx.Graph()
        graph.add_nodes_from(range(k))
        graph.add_edges_from(zip(src.tolist(), dst.tolist()))
        pos = nx.spring_layout(graph, seed=_LAYOUT_SEED, iterations=50)
        return np.array([pos[i] for i in range(k)]) * 0.6 * math.sqrt(k)
    return _grid_force_layout(k, src, dst)


def _grid_force_layout(n: int, src: np.ndarray, dst: np.ndarray,
                       iterations: int = 60) -> np.ndarray:
    """Fruchterman-Reingold with grid-approximated repulsion, O(n + m + g² log g) a step.

    networkx's spring_layout is O(n²) per step (and needs scipy above 500 nodes),
    far too slow at 20,000 nodes. Here node counts are binned on a g×g grid and
    convolved, by FFT, with the FR repulsion kernel 1/d; each node feels the field
    of its cell, plus an exact push from its own cell's centroid. Attraction d²
    runs along edges exactly; a weak pull to the centre keeps the shape round.
    """
    rng = np.random.default_rng(_LAYOUT_SEED)
    side = math.sqrt(n)
    pos = rng.uniform(-side / 2, side / 2, (n, 2))
    g = int(min(128, max(8, 2 ** math.ceil(math.log2(side)))))
    kernel_x, kernel_y, fft_size = _repulsion_kernels(g)
    for step in range(iterations):
        force = _grid_repulsion(pos, g, kernel_x, kernel_y, fft_size)
        delta = pos[dst] - pos[src]
        pull = delta * np.sqrt((delta ** 2).sum(axis=1))[:, None]
        for axis in (0, 1):
            force[:, axis] += (np.bincount(src, pull[:, axis], n)
                               - np.bincount(dst, pull[:, axis], n))
        force -= pos
        limit = side * 0.1 * (1 - step / iterations) + 0.05  # cooling schedule
        length = np.sqrt((force ** 2).sum(axis=1))[:, None] + 1e-9
        pos += force / length * np.minimum(length, limit)
    return pos


def _repulsion_kernels(g: int) -> tuple[np.ndarray, np.ndarray, int]:
    """FFTs of the repulsion field of a unit mass, in cell units, padded for linear convolution."""
    offsets = np.arange(-(g - 1), g, dtype=float)
    dx, dy = np.meshgrid(offsets, offsets, indexing="ij")
    d2 = dx * dx + dy * dy
    d2[g - 1, g - 1] = np.inf  # a cell does not push itself; see _grid_repulsion
    size = 2 ** math.ceil(math.log2(3 * g - 2))
    return np.fft.rfft2(dx / d2, s=(size, size)), np.fft.rfft2(dy / d2, s=(size, size)), size


def _grid_repulsion(pos: np.ndarray, g: int, kernel_x: np.ndarray, kernel_y: np.ndarray,
                    size: int) -> np.ndarray:
    """Repulsion on each node from all others, read off the grid's convolved field."""
    low = pos.min(axis=0)
    cell = max(float(np.ptp(pos, axis=0).max()), 1e-9) / (g - 1e-6)
    ij = np.minimum(((pos - low) / cell).astype(np.int64), g - 1)
    flat = ij[:, 0] * g + ij[:, 1]
    count = np.bincount(flat, minlength=g * g)
    density = np.fft.rfft2(count.reshape(g, g).astype(float), s=(size, size))
    window = (slice(g - 1, 2 * g - 1), slice(g - 1, 2 * g - 1))
    field_x = np.fft.irfft2(density * kernel_x, s=(size, size))[window].ravel() / cell
    field_y = np.fft.irfft2(density * kernel_y, s=(size, size))[window].ravel() / cell
    force = np.column_stack([field_x[flat], field_y[flat]])
    # Nodes sharing a cell: push each away from the cell's centroid, as FR would.
    mates = np.maximum(count, 1)
    centroid = np.column_stack([np.bincount(flat, pos[:, 0], g * g) / mates,
                                np.bincount(flat, pos[:, 1], g * g) / mates])
    rel = pos - centroid[flat]
    force += rel * ((count[flat] - 1) / ((rel ** 2).sum(axis=1) + 1e-3))[:, None]
    return force


def _pack(pieces: list[np.ndarray], gap: float = 1.5) -> list[np.ndarray]:
    """Shelf-pack component layouts in rows, biggest first, into a roughly square block."""
    boxes = [(p - p.min(axis=0), np.ptp(p, axis=0) + gap) for p in pieces]
    area = sum(float(w * h) for _, (w, h) in boxes)
    row_width = max(max(float(w) for _, (w, _h) in boxes), 1.2 * math.sqrt(area))
    placed, x, y, row_height = [], 0.0, 0.0, 0.0
    for shifted, (w, h) in boxes:
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        placed.append(shifted + np.array([x, y]))
        x, row_height = x + float(w), max(row_height, float(h))
    return placed


# --------------------------------------------------------------------------- HTML

def _script_json(data: Any) -> str:
    """JSON that cannot end its ``<script>`` element or be read as HTML.

    >>> _script_json({"a": "</script><b>&\\u2028"})
    '{"a":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


@functools.cache
def _vis_js() -> str:
    """vis-network as shipped in pyvis, licence header kept, source-map comment dropped."""
    source = resources.files("pyvis").joinpath("templates/lib/vis-9.1.2/vis-network.min.js")
    text = source.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n")
    # The comment would point browsers' dev tools at a file that is not there.
    lines = [ln for ln in text.split("\n") if not ln.startswith("//# sourceMappingURL=")]
    return _checked_script("\n".join(lines))


@functools.cache
def _app_js() -> str:
    source = resources.files("kg").joinpath("templates/map.js")
    return _checked_script(source.read_text(encoding="utf-8").replace("\r\n", "\n"))


def _checked_script(js: str) -> str:
    if "</script" in js.lower() or "<!--" in js:
        raise GraphError("An inlined script contains '</script' or '<!--'; it cannot be embedded")
    return js


def _content_security_policy(scripts: list[str]) -> str:
    """A CSP that allows exactly our inline scripts and no fetch of any kind."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in scripts)
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
            "img-src 'none'; base-uri 'none'; form-action 'none'")


@functools.cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.PackageLoader("kg", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    return env.get_template("map.html")


# --------------------------------------------------------------------------- example

def example_graph() -> nx.MultiDiGraph:
    """A two-entity graph in kg's schema, for examples and quick checks.

    >>> G = example_graph()
    >>> G.number_of_nodes(), G.number_of_edges()
    (2, 1)
    """
    alibaba = "https://w3id.org/kg-ecom/entity/alibaba-group"
    tmall = "https://w3id.org/kg-ecom/entity/tmall"
    ev = Evidence("a1", "Alibaba Group listed its brands on Tmall.",
                  url="https://news.example/a1", title="Alibaba news",
                  published=date(2024, 3, 1), confidence=0.9, rule="listedOn.verb")
    G = nx.MultiDiGraph(title="Example")
    G.add_node(alibaba, label="Alibaba Group", type="Company", qid="Q1359568")
    G.add_node(tmall, label="Tmall", type="Marketplace", qid=None)
    G.add_edge(alibaba, tmall, key="listedOn", relation="listedOn", confidence=0.9,
               sources=(ev,), first_date=date(2024, 3, 1))
    return G
