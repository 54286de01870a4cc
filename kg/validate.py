"""Check a graph against kg's SHACL shapes (``ontology/shapes.ttl``).

The shapes are checked on the union of all graphs of a dataset, with the ontology
(``ontology/ecom.ttl``) as the ontology graph and RDFS inference so that subclasses
count (a ``Company`` is a ``Party``).

The ontology's ``rdfs:domain`` / ``rdfs:range`` axioms are left out of the inference:
with them, RDFS would *infer* that whatever is listed on something is a
``Marketplace`` and that both ends of every fact are a ``Party``, so the shapes that
check exactly that could never fail. ``kg.rdf`` materialises the ranges itself.

The ontology folder is ``<repo>/ontology``; set the environment variable
``KG_ONTOLOGY`` to use another one.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from rdflib import RDFS, Dataset, Graph

from kg.errors import GraphError


def ontology_dir() -> Path:
    """The folder holding ``ecom.ttl`` and ``shapes.ttl`` (env ``KG_ONTOLOGY`` overrides)."""
    override = os.environ.get("KG_ONTOLOGY")
    if override:
        return Path(override)
    import kg

    return Path(kg.__file__).resolve().parent.parent / "ontology"


@lru_cache(maxsize=4)
def _graphs(folder: str, ecom_mtime: float, shapes_mtime: float) -> tuple[Graph, Graph]:
    base = Path(folder)
    graphs = []
    for name in ("shapes.ttl", "ecom.ttl"):
        graph = Graph()
        try:
            graph.parse(base / name, format="turtle")
        except Exception as err:  # noqa: BLE001 - parser errors have many types
            raise GraphError(f"cannot read {base / name}: {err}; fix the file or point "
                             "KG_ONTOLOGY at a folder with ecom.ttl and shapes.ttl") from err
        graphs.append(graph)
    shapes, ontology = graphs
    for axiom in (RDFS.domain, RDFS.range):
        ontology.remove((None, axiom, None))
    return shapes, ontology


def load_ontology() -> tuple[Graph, Graph]:
    """(shapes graph, ontology graph used for inference) from :func:`ontology_dir`."""
    folder = ontology_dir()
    paths = [folder / "ecom.ttl", folder / "shapes.ttl"]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise GraphError(f"ontology file(s) not found: {', '.join(missing)}; "
                         "set KG_ONTOLOGY to the folder holding ecom.ttl and shapes.ttl")
    return _graphs(str(folder), paths[0].stat().st_mtime, paths[1].stat().st_mtime)


def validate(dataset_or_graph: Graph, *, inference: str = "rdfs") -> tuple[bool, str]:
    """(conforms, report text) of the shapes checked on the union of all graphs.

    ``inference="none"`` gives the same verdict on kg's shapes (SHACL follows
    ``rdfs:subClassOf`` in the mixed-in ontology by itself) about three times faster on
    large graphs. The argument is not modified.
    """
    from pyshacl import validate as shacl_validate

    from kg.rdf import flatten

    shapes, ontology = load_ontology()
    if isinstance(dataset_or_graph, Dataset) or len(list(_contexts(dataset_or_graph))) > 1:
        data = flatten(dataset_or_graph)
    else:
        data = dataset_or_graph
    conforms, _, text = shacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference=inference,
        abort_on_first=False,
        allow_warnings=True,
        inplace=False,
    )
    return bool(conforms), str(text)


def _contexts(graph: Graph):
    contexts = getattr(graph, "contexts", None)
    return contexts() if callable(contexts) else ()
