"""One small interface over where a graph lives, so callers never care.

=====================================  =============================================
``open_store(None)``                   in-memory rdflib dataset
``open_store("graph.oxigraph")``       Oxigraph database on disk (created if needed);
                                       also any existing directory
``open_store("http://host/sparql")``   remote SPARQL endpoint, read-only
=====================================  =============================================

In every backend the default graph for queries is the union of the article graphs,
and re-ingesting an article replaces exactly its named graph.

>>> from kg.rdf import new_dataset
>>> from kg.namespace import ECOM, entity_iri
>>> graph = new_dataset().graph(URIRef("urn:example:a1"))
>>> _ = graph.add((entity_iri("Nike"), ECOM.listedOn, entity_iri("Tmall")))
>>> with open_store() as store:
...     store.replace_article("a1", graph)
...     rows = store.query("SELECT ?s ?o WHERE { ?s ecom:listedOn ?o }",
...                        {"o": entity_iri("Tmall")})
...     [str(row.s) for row in rows]
['https://w3id.org/kg-ecom/entity/nike']

Oxigraph 0.5 counts a triple once per named graph that holds it when it queries the
union (oxigraph#1919, fixed upstream after 0.5): an entity described in three articles
matches ``?e rdfs:label ?name`` three times. Use ``SELECT DISTINCT`` / ``COUNT(DISTINCT
…)``, as kg's own queries do, to get the same rows from every backend.

Remote endpoints get bound parameters the only way the SPARQL protocol allows: rdflib
appends them, escaped, as a ``VALUES`` block after the query, so a parameter that is
used only inside ``FILTER`` or ``HAVING`` is unbound there. For the other backends
parameters are bound before evaluation.
"""
from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result

from kg.errors import GraphError
from kg.namespace import article_iri

MEMORY, OXIGRAPH, SPARQL = "memory", "oxigraph", "sparql"


class Store:
    """A dataset in one backend: add article graphs, replace them, query them.

    Use :func:`open_store` to make one. A store is a context manager that closes it.
    """

    def __init__(self, dataset: Dataset, *, backend: str, location: str | None = None):
        self._dataset: Dataset | None = dataset
        self.backend = backend
        self.location = location

    def __repr__(self) -> str:
        where = f" {self.location!r}" if self.location else ""
        state = " closed" if self._dataset is None else ""
        return f"<Store {self.backend}{where}{state}>"

    # ------------------------------------------------------------ access
    @property
    def dataset(self) -> Dataset:
        """The rdflib dataset (default graph = union of all graphs)."""
        if self._dataset is None:
            raise GraphError("this store is closed; open it again with kg.store.open_store()")
        return self._dataset

    @property
    def read_only(self) -> bool:
        return self.backend == SPARQL

    def __len__(self) -> int:
        return len(self.dataset)

    def article_ids(self) -> list[str]:
        """The ids of the articles whose graphs the store holds, sorted."""
        from urllib.parse import unquote

        base = str(article_iri(""))
        ids = [unquote(str(g.identifier)[len(base):]) for g in self.dataset.graphs()
               if str(g.identifier).startswith(base)]
        return sorted(ids)

    # ------------------------------------------------------------ writing
    def _writable(self) -> Dataset:
        if self.read_only:
            raise GraphError(f"the SPARQL endpoint {self.location} is read-only here; "
                             "build into a local store (memory or .oxigraph) instead")
        return self.dataset

    def add_dataset(self, dataset: Graph) -> None:
        """Add every graph of ``dataset``; a named graph replaces the store's graph of that name.

        Triples of the default graph of ``dataset`` (or of a plain ``Graph``) are added to
        the store's default graph.
        """
        target = self._writable()
        if not isinstance(dataset, Dataset):
            _add(target, target.default_graph, dataset)
            return
        for graph in dataset.graphs():
            if graph.identifier == DATASET_DEFAULT_GRAPH_ID:
                _add(target, target.default_graph, graph)
            else:
                self._replace(graph.identifier, graph)

    def replace_article(self, article_id: str, graph: Graph) -> None:
        """Make the graph of article ``article_id`` hold exactly the triples of ``graph``.

        ``graph`` may be any rdflib graph (its name does not matter) or a dataset, of
        which all triples are taken.
        """
        self._writable()
        self._replace(article_iri(article_id), graph)

    def remove_article(self, article_id: str) -> None:
        """Drop the named graph of article ``article_id`` (nothing happens if absent)."""
        target = self._writable()
        target.remove_graph(target.graph(article_iri(article_id)))

    def _replace(self, name: URIRef, graph: Graph) -> None:
        target = self.dataset
        triples = list(graph.triples((None, None, None)))
        target.remove_graph(target.graph(name))
        _add(target, target.graph(name), triples)

    # ------------------------------------------------------------ reading
    def query(self, sparql: str, bindings: dict | None = None) -> Result:
        """Run a SPARQL query; ``bindings`` (variable name -> rdflib term) are bound with
        ``initBindings``, never written into the text. kg's prefixes are predeclared.

        Oxigraph runs the query itself when every bound variable is projected (``SELECT *``
        or listed in ``SELECT``); otherwise rdflib evaluates it over the Oxigraph data,
        which gives the same rows more slowly.
        """
        from kg.queries import execute

        return execute(self.dataset, sparql, bindings or {})

    # ------------------------------------------------------------ lifetime
    def close(self) -> None:
        """Release the backend (an Oxigraph database is unlocked). Safe to call twice."""
        if self._dataset is not None:
            dataset, self._dataset = self._dataset, None
            if self.backend != MEMORY:
                dataset.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _add(dataset: Dataset, graph: Graph, triples) -> None:
    dataset.addN([(s, p, o, graph) for s, p, o in triples])


def open_store(location: str | os.PathLike | None = None) -> Store:
    """A :class:`Store` for ``location``.

    ``None`` -> in memory; ``http(s)://...`` -> remote SPARQL endpoint (read-only); a path
    ending in ``.oxigraph`` or an existing directory -> Oxigraph database on disk.
    Anything else raises :class:`~kg.errors.GraphError`.
    """
    from kg.rdf import bind_prefixes, new_dataset

    if location is None:
        return Store(new_dataset(), backend=MEMORY)
    text = str(location)
    if text.startswith(("http://", "https://")):
        from rdflib.plugins.stores.sparqlstore import SPARQLStore

        dataset = Dataset(store=SPARQLStore(query_endpoint=text, returnFormat="json"),
                          default_union=True)
        return Store(dataset, backend=SPARQL, location=text)
    path = Path(text)
    if path.suffix == ".oxigraph" or path.is_dir():
        if path.exists() and not path.is_dir():
            raise GraphError(f"{text} exists and is not an Oxigraph folder; choose another path")
        path.parent.mkdir(parents=True, exist_ok=True)
        dataset = Dataset(store="Oxigraph", default_union=True)
        try:
            dataset.open(str(path), create=False)
        except OSError as err:
            raise GraphError(f"cannot open the Oxigraph store {text}: {err}; close other "
                             "programs (or stores) using it, or choose another path") from err
        bind_prefixes(dataset)
        return Store(dataset, backend=OXIGRAPH, location=str(path))
    raise GraphError(f"cannot tell what store {text!r} is; give nothing (memory), a path ending "
                     "in .oxigraph or an existing directory (on disk), or an http(s):// "
                     "SPARQL endpoint")


__all__ = ["Store", "open_store", "MEMORY", "OXIGRAPH", "SPARQL"]
