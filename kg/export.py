"""Export a kg graph to RDF files, GraphML (Gephi, yEd, Cytoscape) or a CSV edge list.

==========  ============================================================================
``ttl``     Turtle, union of the article graphs (:func:`kg.rdf.save`)
``nt``      N-Triples, union of the article graphs
``trig``    TriG, one named graph per article
``nq``      N-Quads, one named graph per article
``jsonld``  JSON-LD, one named graph per article
``graphml`` the entity graph of :func:`kg.network.to_networkx`, attributes made scalar
``csv``     one row per fact of that entity graph
==========  ============================================================================

GraphML allows only scalar attribute values, and its node and edge ids must be XML
name tokens (no ``/``), so entities become nodes ``n0``, ``n1``, … (in IRI order) with
attributes ``label``, ``iri``, ``type``, ``qid`` and ``aliases`` (joined with ``;``), and
facts become edges ``e0``, ``e1``, … with ``label`` and ``relation`` (the relation
name), ``status``, ``confidence``, ``sources`` (number of supporting sentences),
``articles`` and ``urls`` (distinct, joined with ``;``) and ``first_date`` (ISO
8601). Attributes without a value are left out.

The CSV edge list has a header row and the columns of :data:`CSV_COLUMNS`; entities are
written by label, and the csv module quotes names holding commas, quotes or newlines.

>>> format_for("out/graph.graphml"), format_for("facts.CSV")
('graphml', 'csv')
"""
from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import KGError, cannot_write

if TYPE_CHECKING:
    import networkx as nx

#: format name -> file extension
FORMATS = {"ttl": ".ttl", "trig": ".trig", "nt": ".nt", "nq": ".nq", "jsonld": ".jsonld",
           "graphml": ".graphml", "csv": ".csv"}
RDF_FORMATS = frozenset({"ttl", "trig", "nt", "nq", "jsonld"})
CSV_COLUMNS = ("subject", "subject_type", "relation", "object", "object_type", "confidence",
               "sources", "articles", "urls", "first_date")
#: Separator of the article ids, URLs and aliases joined into one GraphML / CSV value.
JOIN = ";"


def format_for(path: str | os.PathLike) -> str:
    """The export format named by the extension of ``path``; raises :class:`KGError`."""
    suffix = Path(path).suffix.lower()
    for name, ext in FORMATS.items():
        if suffix == ext:
            return name
    raise KGError(f"cannot tell the export format of {str(path)!r} from its extension; "
                  f"use --format with one of {', '.join(FORMATS)}")


def export(dataset: Any, path: str | os.PathLike, fmt: str | None = None) -> Path:
    """Write ``dataset`` (an rdflib dataset or graph, or a :class:`kg.store.Store`) to
    ``path`` in format ``fmt`` (default: from the extension). Returns the path written.

    The file is replaced only once it is complete; ``dataset`` is not changed. Raises
    :class:`~kg.errors.KGError` for an unknown format and
    :class:`~kg.errors.GraphError` when the file cannot be written.
    """
    target = Path(path)
    fmt = format_for(target) if fmt is None else fmt.lower().lstrip(".")
    if fmt == "json-ld":
        fmt = "jsonld"
    if fmt not in FORMATS:
        raise KGError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if hasattr(dataset, "backend") and hasattr(dataset, "dataset"):  # a kg.store.Store
        dataset = dataset.dataset
    if fmt in RDF_FORMATS:
        return _export_rdf(dataset, target, FORMATS[fmt])

    from kg.network import to_networkx

    G = to_networkx(dataset)
    if fmt == "graphml":
        import networkx as nx

        H = graphml_graph(G)
        return _write(target, "wb", lambda out: nx.write_graphml(H, out, encoding="utf-8"))
    rows = csv_rows(G)

    def write_csv(out) -> None:
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)

    return _write(target, "w", write_csv)


def graphml_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of the entity graph ``G`` with only scalar attributes (see the module help)."""
    import networkx as nx

    H = nx.MultiDiGraph()
    ids = {node: f"n{i}" for i, node in enumerate(sorted(G))}
    for node in sorted(G):
        data = G.nodes[node]
        H.add_node(ids[node], **_scalars({
            "label": data.get("label"), "iri": node, "type": data.get("type"),
            "qid": data.get("qid"), "aliases": _joined(data.get("aliases") or ()),
        }))
    for i, (s, o, key, data) in enumerate(_edges(G)):
        relation = data.get("relation", key)
        H.add_edge(ids[s], ids[o], key=f"e{i}", **_scalars({
            "label": relation, "relation": relation, "status": data.get("status"),
            **_edge_values(data),
        }))
    return H


def csv_rows(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """The rows of the CSV edge list of ``G`` (keys :data:`CSV_COLUMNS`), one per fact."""
    rows = []
    for s, o, key, data in _edges(G):
        values = _edge_values(data)
        rows.append({
            "subject": G.nodes[s].get("label", s), "subject_type": G.nodes[s].get("type", ""),
            "relation": data.get("relation", key),
            "object": G.nodes[o].get("label", o), "object_type": G.nodes[o].get("type", ""),
            **{k: ("" if values.get(k) is None else values[k])
               for k in ("confidence", "sources", "articles", "urls", "first_date")},
        })
    return rows


# ------------------------------------------------------------------ internals


def _edges(G: nx.MultiDiGraph):
    return sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1]))


def _edge_values(data: dict) -> dict[str, Any]:
    """confidence, sources (count), articles, urls, first_date of an edge, as scalars."""
    sources = tuple(data.get("sources") or ())
    confidence = data.get("confidence")
    return {
        "confidence": None if confidence is None else float(confidence),
        "sources": len(sources),
        "articles": _joined(ev.article_id for ev in sources),
        "urls": _joined(ev.url for ev in sources),
        "first_date": _iso(data.get("first_date")),
    }


def _joined(values: Iterable[Any]) -> str:
    """Distinct non-empty values, in first-seen order, joined with :data:`JOIN`."""
    seen: dict[str, None] = {}
    for value in values:
        if value is not None and str(value) != "":
            seen.setdefault(str(value), None)
    return JOIN.join(seen)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _scalars(values: dict[str, Any]) -> dict[str, Any]:
    """Drop ``None``; keep bool, int, float and str; anything else becomes a string."""
    out = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, date):
            value = value.isoformat()
        elif not isinstance(value, (bool, int, float, str)):
            value = str(value)
        out[key] = value
    return out


def _export_rdf(dataset: Any, target: Path, ext: str) -> Path:
    from kg.rdf import save

    if target.suffix.lower() == ext:
        return save(dataset, target)
    # kg.rdf.save takes the format from the extension: write a sibling, then rename.
    staged = target.with_name(f".{target.name}.export{ext}")
    try:
        save(dataset, staged)
        os.replace(staged, target)
    except OSError as err:
        staged.unlink(missing_ok=True)
        raise cannot_write(target, err) from err
    return target


def _write(target: Path, mode: str, write) -> Path:
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if "b" in mode:
            with tmp.open(mode) as out:
                write(out)
        else:
            with tmp.open(mode, encoding="utf-8", newline="") as out:
                write(out)
        os.replace(tmp, target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise cannot_write(target, err) from err
    return target


__all__ = ["export", "format_for", "graphml_graph", "csv_rows", "FORMATS", "CSV_COLUMNS"]
