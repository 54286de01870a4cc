"""The named-query catalogue (``kg/queries/*.rq``) and a safe way to run SPARQL.

Each ``.rq`` file starts with comment lines that describe it::

    # name: deals-of
    # description: Every fact about a company, either side, with its sources.
    # param: company — canonical name or alias of the company

A parameter line is ``# param: NAME [(TYPE[, default=VALUE])] — DESCRIPTION``; TYPE is one
of :data:`PARAM_TYPES` (``string`` if omitted). Parameters are SPARQL variables
(``?company``) bound with ``initBindings``; their values are never written into the
query text, so a value such as ``" } ; DROP ALL ; #`` is only ever data. Each parameter
is also projected by its query, which the Oxigraph backend requires.

The catalogue's queries report *asserted* facts, each with the sentences that state it;
``evidence`` lists every mention of a fact whatever its status.

>>> [q.name for q in list_queries()][:3]
['brands-on', 'counterfeit-coalitions', 'deals-of']
>>> get_query("mous-of").params[0].name
'company'
"""
from __future__ import annotations

import csv
import io
import json
import re
import warnings
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from rdflib import Literal, URIRef, Variable
from rdflib.query import Result

from kg.errors import QueryError
from kg.namespace import PREFIXES, relation_iri
from kg.records import RELATIONS, STATUSES

QUERY_DIR = Path(__file__).with_name("queries")
#: Parameter types and what a value becomes.
PARAM_TYPES = ("string", "integer", "decimal", "date", "relation", "status")


@dataclass(frozen=True)
class Param:
    """One parameter of a named query: the SPARQL variable ``?name``."""

    name: str
    description: str = ""
    type: str = "string"
    default: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None

    def term(self, value: object) -> URIRef | Literal:
        """The RDF term ``value`` is bound as; :class:`~kg.errors.QueryError` if invalid."""
        if isinstance(value, (URIRef, Literal)):
            return value
        text = str(value).strip() if self.type != "string" else str(value)
        try:
            if self.type == "integer":
                return Literal(int(text))
            if self.type == "decimal":
                return Literal(Decimal(text))
            if self.type == "date":
                return Literal(date.fromisoformat(text))
        except (ValueError, ArithmeticError) as err:
            raise QueryError(f"parameter {self.name!r} must be a{'n' if self.type == 'integer' else ''} "
                             f"{self.type}, not {value!r}") from err
        if self.type == "relation":
            if text not in RELATIONS:
                raise QueryError(f"parameter {self.name!r} must be one of {', '.join(RELATIONS)}, "
                                 f"not {value!r}")
            return relation_iri(text)
        if self.type == "status":
            if text not in STATUSES:
                raise QueryError(f"parameter {self.name!r} must be one of {', '.join(STATUSES)}, "
                                 f"not {value!r}")
            return Literal(text)
        return Literal(text)


@dataclass(frozen=True)
class NamedQuery:
    """A query of the catalogue."""

    name: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path | None = None

    def usage(self) -> str:
        """One line: the name and its parameters."""
        args = " ".join(f"{p.name}=<{p.type}>" if p.required else f"[{p.name}={p.default}]"
                        for p in self.params)
        return f"{self.name} {args}".strip()


_HEADER = re.compile(r"^#\s*(name|description|param)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*(?:\((?P<opts>[^)]*)\))?\s*(?:[—–:-]+\s*(?P<desc>.*))?$")


def parse_query_file(text: str, path: Path | None = None) -> NamedQuery:
    """A :class:`NamedQuery` from the text of an ``.rq`` file with its comment header."""
    where = f" in {path}" if path else ""
    fields: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER.match(stripped)
        if not match:
            continue
        key, value = match.groups()
        if key != "param":
            fields[key] = value
            continue
        pmatch = _PARAM.match(value)
        if not pmatch:
            raise QueryError(f"bad parameter line {stripped!r}{where}; write "
                             "'# param: name (type, default=value) — description'")
        ptype, default = "string", None
        for option in filter(None, (o.strip() for o in (pmatch["opts"] or "").split(","))):
            if option.startswith("default="):
                default = option[len("default="):].strip()
            elif option in PARAM_TYPES:
                ptype = option
            else:
                raise QueryError(f"unknown parameter option {option!r}{where}; "
                                 f"use a type ({', '.join(PARAM_TYPES)}) or default=VALUE")
        params.append(Param(pmatch["name"], (pmatch["desc"] or "").strip(), ptype, default))
    if not fields.get("name"):
        raise QueryError(f"query file{where} has no '# name:' line; add one at the top")
    return NamedQuery(fields["name"], fields.get("description", ""), tuple(params), text, path)


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, NamedQuery]:
    queries: dict[str, NamedQuery] = {}
    for path in sorted(QUERY_DIR.glob("*.rq")):
        query = parse_query_file(path.read_text(encoding="utf-8"), path)
        if query.name in queries:
            raise QueryError(f"two queries are named {query.name!r} ({queries[query.name].path} "
                             f"and {path}); rename one")
        queries[query.name] = query
    return queries


def list_queries() -> list[NamedQuery]:
    """The catalogue, sorted by name."""
    return [_catalogue()[name] for name in sorted(_catalogue())]


def get_query(name: str) -> NamedQuery:
    """The named query ``name``; :class:`~kg.errors.QueryError` listing the names if unknown."""
    try:
        return _catalogue()[name]
    except KeyError:
        raise QueryError(f"unknown query {name!r}; known queries: "
                         f"{', '.join(sorted(_catalogue()))}") from None


def _looks_like_sparql(text: str) -> bool:
    return bool(re.search(r"[\s{?]", text.strip()))


def run(dataset, sparql_or_name: str, params: dict[str, object] | None = None) -> Result:
    """Run a named query (or SPARQL text) on ``dataset`` with ``params`` bound.

    ``dataset`` is an rdflib Dataset/Graph or a :class:`kg.store.Store`. For a named query,
    ``params`` must give every required parameter and nothing else; for SPARQL text, each
    key must be a variable of the query and string values are bound as plain literals.
    Raises :class:`~kg.errors.QueryError` for an unknown name, a bad or missing parameter
    or a query that does not parse or fails.
    """
    params = dict(params or {})
    if _looks_like_sparql(sparql_or_name):
        text = sparql_or_name
        prepared = _prepare(text)
        variables = _variables(prepared, text)
        extra = sorted(set(params) - variables)
        if extra:
            raise QueryError(f"parameter(s) {', '.join(extra)} are not variables of the query; "
                             f"its variables are {', '.join(sorted(variables)) or 'none'}")
        bindings = {name: Param(name).term(value) for name, value in params.items()}
    else:
        query = get_query(sparql_or_name)
        known = {p.name: p for p in query.params}
        params = {name: value for name, value in params.items() if value is not None}
        extra = sorted(set(params) - set(known))
        missing = [p.name for p in query.params if p.required and p.name not in params]
        if extra or missing:
            problems = []
            if missing:
                problems.append(f"missing {', '.join(missing)}")
            if extra:
                problems.append(f"unknown {', '.join(extra)}")
            raise QueryError(f"query {query.name!r}: {'; '.join(problems)}; usage: {query.usage()}")
        bindings = {}
        for param in query.params:
            value = params.get(param.name, param.default)
            bindings[param.name] = param.term(value)
        text = query.text
        prepared = _prepare(text, query.name)
    return execute(dataset, text, bindings, prepared=prepared)


def _prepare(text: str, name: str | None = None):
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(text, initNs=PREFIXES)
    except ParseException as err:
        what = f"query {name!r}" if name else "the SPARQL query"
        raise QueryError(f"{what} does not parse at line {err.lineno}, column {err.column}: "
                         f"{err.msg}; fix the query text") from err
    except Exception as err:  # noqa: BLE001 - e.g. an undeclared prefix
        what = f"query {name!r}" if name else "the SPARQL query"
        raise QueryError(f"{what} is not valid SPARQL ({err}); fix the query text") from err


def _variables(prepared, text: str) -> set[str]:
    names = {str(v) for v in getattr(prepared.algebra, "_vars", ())}
    return names | set(re.findall(r"[?$]([A-Za-z_]\w*)", text))


def _engine(dataset) -> str:
    """``"oxigraph"`` or ``"remote"`` when the store runs SPARQL itself, else ``"rdflib"``."""
    name = type(getattr(dataset, "store", None)).__name__
    if name == "OxigraphStore":
        return "oxigraph"
    if name in {"SPARQLStore", "SPARQLUpdateStore"}:
        return "remote"
    return "rdflib"


def _projected(prepared) -> set[str] | None:
    """Names of the variables a prepared SELECT projects (None if not a SELECT)."""
    algebra = prepared.algebra
    if algebra.name != "SelectQuery":
        return None
    return {str(v) for v in algebra.get("PV", ())}


def execute(dataset, text: str, bindings: dict | None = None, *, prepared=None) -> Result:
    """Run SPARQL ``text`` with ``bindings`` as ``initBindings`` and kg's prefixes.

    The result is read completely, so errors surface here as
    :class:`~kg.errors.QueryError` and no database stays locked by a half-read result.
    """
    dataset = getattr(dataset, "dataset", dataset)  # a kg Store
    bindings = {str(k): v for k, v in (bindings or {}).items()}
    for name, value in bindings.items():
        if not isinstance(value, (URIRef, Literal)):
            bindings[name] = Literal(value)
    engine = _engine(dataset)
    if prepared is None and engine != "remote":
        prepared = _prepare(text)
    query = prepared
    if engine == "remote":
        query = text
    elif engine == "oxigraph":
        # Oxigraph binds (SEP-0007 substitution) only variables the SELECT projects; for
        # other queries rdflib evaluates the parsed query over the Oxigraph store (slower).
        projected = _projected(prepared)
        if projected is None or set(bindings) <= projected:
            query = text
    try:
        with warnings.catch_warnings():
            # rdflib 7.6 warns about its own use of Dataset.default_context on every match
            warnings.filterwarnings("ignore", "Dataset.default_context", DeprecationWarning)
            result = dataset.query(query, initNs=PREFIXES, initBindings=bindings)
            if result.type == "SELECT":
                result.bindings  # noqa: B018 - read all rows now
    except QueryError:
        raise
    except Exception as err:  # noqa: BLE001 - engines raise many types
        hint = ""
        if "projection" in str(err):
            hint = " (Oxigraph needs each bound variable in the SELECT clause)"
        raise QueryError(f"the query failed: {err}{hint}; check the query and its parameters") from err
    return result


# ------------------------------------------------------------------ output


def _cell(value) -> object:
    """A JSON-friendly Python value for an RDF term."""
    if value is None:
        return None
    if isinstance(value, Literal):
        python = value.toPython()
        if isinstance(python, bool):
            return python
        if isinstance(python, int):
            return python
        if isinstance(python, (float, Decimal)):
            return float(python)
        if isinstance(python, date):
            return python.isoformat()
        return str(value)
    return str(value)


def _compact(iri: str) -> str:
    """``ecom:signedMOU`` for an IRI in one of kg's namespaces, else the IRI."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            best = prefix
    if best:
        local = iri[len(PREFIXES[best]):]
        if re.fullmatch(r"[A-Za-z0-9_][\w.-]*", local) and not local.endswith("."):
            return f"{best}:{local}"
    return iri


def _text(value, compact: bool = False) -> str:
    if compact and isinstance(value, URIRef):
        return _compact(str(value))
    cell = _cell(value)
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and isinstance(value, Literal) and isinstance(value.toPython(), Decimal):
        return str(value)
    return str(cell)


def rows(result: Result) -> list[dict[str, object]]:
    """The rows of a SELECT result as dicts of JSON-friendly values (None if unbound)."""
    names = [str(v) for v in (result.vars or [])]
    return [{name: _cell(row.get(Variable(name))) for name in names} for row in result.bindings]


def format_result(result: Result, fmt: str = "table", *, width: int = 80) -> str:
    """A SELECT result as ``"table"`` (aligned text, kg's IRIs as ``prefix:name``, cells cut
    at ``width``), ``"csv"`` or ``"json"`` (a list of objects, full IRIs). ASK gives ``true``/``false``; CONSTRUCT gives N-Triples.
    """
    if fmt not in ("table", "csv", "json"):
        raise QueryError(f"unknown output format {fmt!r}; use table, csv or json")
    if result.type == "ASK":
        return json.dumps(bool(result.askAnswer)) if fmt == "json" else str(bool(result.askAnswer)).lower()
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.graph.serialize(format="nt")
    names = [str(v) for v in (result.vars or [])]
    if fmt == "json":
        return json.dumps(rows(result), ensure_ascii=False, indent=2)
    if fmt == "csv":
        table = [[_text(row.get(Variable(name))) for name in names] for row in result.bindings]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(table)
        return out.getvalue()
    cut = [[_shorten(" ".join(_text(row.get(Variable(name)), compact=True).split()), width)
            for name in names] for row in result.bindings]
    widths = [max([len(name)] + [len(line[i]) for line in cut]) for i, name in enumerate(names)]
    lines = ["  ".join(name.ljust(w) for name, w in zip(names, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in cut]
    lines.append(f"({len(cut)} row{'s' if len(cut) != 1 else ''})")
    return "\n".join(lines)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"
