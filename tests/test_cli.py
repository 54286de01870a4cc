"""The ``kg`` command line, run in process with typer's ``CliRunner``.

The sample corpus (``data/articles``) is built once per module with the real pinned
spaCy model and the real gazetteers (``data/gazetteers``); ``KG_MODEL``,
``KG_GAZETTEERS`` and ``KG_ONTOLOGY`` are unset for every invocation so the caller's
environment cannot change what is tested. Nothing here reaches the network.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.articles import read_articles
from kg.cli import app
from kg.extract import analysed_text
from kg.records import RELATIONS, STATUSES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

REPO = Path(__file__).resolve().parent.parent
ARTICLES = REPO / "data" / "articles"
#: Settings from the caller's environment that would change the pipeline or the shapes.
CLEAN_ENV = {"KG_MODEL": None, "KG_GAZETTEERS": None, "KG_ONTOLOGY": None, "COLUMNS": "200"}
JSONL_KEYS = {"doc", "subject", "relation", "object", "confidence", "sentence", "start", "end",
              "status", "rule"}


def kg(*args: str | Path):
    """Run ``kg ARGS`` in process; stdout and stderr are kept apart."""
    return CliRunner(env=CLEAN_ENV).invoke(app, [str(a) for a in args], catch_exceptions=False)


def assert_clean_error(result, code: int = 1) -> str:
    """Exit ``code``, exactly one line on stderr starting ``kg: error:``, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kg: error: "), lines[0]
    assert result.stdout.strip() == ""
    return lines[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``kg build data/articles -o tmp/graph.trig``: (result, graph path)."""
    graph = tmp_path_factory.mktemp("cli") / "out" / "graph.trig"
    result = kg("build", ARTICLES, "-o", graph)
    return result, graph


@pytest.fixture(scope="module")
def graph(built):
    result, path = built
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def sample_articles():
    articles, skipped = read_articles([ARTICLES])
    assert not skipped
    return {a.id: a for a in articles}


@pytest.fixture(scope="module")
def jsonl(built):
    """``kg extract data/articles --format jsonl`` (after the build: the model is loaded)."""
    return kg("extract", ARTICLES, "--format", "jsonl")


# ------------------------------------------------------------------ extract


def test_extract_jsonl_emits_one_object_per_line(jsonl, sample_articles):
    assert jsonl.exit_code == 0, jsonl.output
    assert jsonl.stderr == ""  # nothing skipped in the sample corpus
    lines = jsonl.stdout.splitlines()
    assert len(lines) > 40
    docs = set()
    for line in lines:
        row = json.loads(line)
        assert isinstance(row, dict)
        assert JSONL_KEYS <= set(row), sorted(JSONL_KEYS - set(row))
        assert row["relation"] in RELATIONS
        assert row["status"] == "asserted"  # the default: asserted facts only
        assert 0 < row["confidence"] <= 1
        assert row["subject"] and row["object"] and row["rule"]
        text = analysed_text(sample_articles[row["doc"]])
        assert 0 <= row["start"] < row["end"] <= len(text)
        assert text[row["start"]:row["end"]].strip() == row["sentence"]
        docs.add(row["doc"])
    assert docs <= set(sample_articles)
    assert len(docs) == len(sample_articles)  # every sample article states some fact


def test_extract_jsonl_has_a_known_fact(jsonl):
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert any(r["doc"] == "alibaba-italy-ministry-mou" and r["subject"] == "Lavazza"
               and r["relation"] == "listedOn" and r["object"] == "Tmall" for r in rows)


def test_extract_all_adds_other_statuses(built, tmp_path):
    src = tmp_path / "hedged.txt"
    src.write_text("Deals\n\nAmazon did not invest in Flipkart. "
                   "JD.com may sign a memorandum of understanding with Lazada next year.\n",
                   encoding="utf-8")
    default = kg("extract", src, "--format", "jsonl")
    everything = kg("extract", src, "--all", "--format", "jsonl")
    assert default.exit_code == everything.exit_code == 0
    assert default.stdout == ""
    statuses = {json.loads(line)["status"] for line in everything.stdout.splitlines()}
    assert statuses == {"hedged", "negated"}
    assert statuses <= set(STATUSES)


def test_extract_table(built):
    result = kg("extract", ARTICLES / "alibaba-italy-ministry-mou.txt", "--format", "table")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for header in ("article", "subject", "relation", "object", "conf", "status", "rule"):
        assert header in out
    row = next(line for line in out.splitlines() if "Lavazza" in line)
    assert "listedOn" in row and "Tmall" in row and "asserted" in row
    assert not out.lstrip().startswith("{")  # a table, not JSON


@pytest.mark.parametrize("fmt", ["xml", "JSONL", ""])
def test_extract_bad_format_is_a_usage_error(fmt):
    result = kg("extract", ARTICLES, "--format", fmt)
    assert_clean_error(result, code=2)
    assert "--format" in result.stderr and "jsonl" in result.stderr


# ------------------------------------------------------------------ build


def test_build_writes_the_graph_and_prints_the_summary(built, sample_articles):
    result, path = built
    assert result.exit_code == 0, result.output
    assert path.is_file() and path.stat().st_size > 1000
    assert not list(path.parent.glob(".*.tmp"))  # the temporary file was renamed
    out = result.stdout
    assert f"articles read: {len(sample_articles)}" in out
    assert re.search(r"^skipped: 0$", out, re.M)
    assert "facts per relation:" in out
    counts = {rel: int(n) for rel, n in re.findall(r"^\s+(\w+)\s+(\d+)$", out, re.M)}
    assert set(counts) == set(RELATIONS)
    assert all(counts[r] > 0 for r in RELATIONS), counts
    entities = re.search(r"^entities: (\d+)$", out, re.M)
    assert entities and int(entities.group(1)) > 10
    assert f"wrote {path}" in out
    assert result.stderr == ""


def test_build_skips_broken_files_and_keeps_the_rest(built, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("alibaba-italy-ministry-mou.txt", "jumia-nyse-debut.txt"):
        (folder / name).write_bytes((ARTICLES / name).read_bytes())
    (folder / "broken.json").write_text('{"id": "x", "text": "Alibaba signed', encoding="utf-8")
    (folder / "empty.txt").write_text("  \n\n \n", encoding="utf-8")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8\xff")
    out = tmp_path / "g.trig"

    result = kg("build", folder, "-o", out)

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert out.is_file()
    assert "articles read: 2" in result.stdout
    assert "skipped: 3" in result.stdout
    reasons = {"broken.json": "malformed JSON", "empty.txt": "empty article text",
               "image.txt": "not UTF-8"}
    for name, reason in reasons.items():
        # once in the summary, once as a warning on stderr
        assert re.search(rf"^  \S*{re.escape(name)}: {reason}", result.stdout, re.M), name
        assert re.search(rf"^kg: skipped \S*{re.escape(name)}: {reason}", result.stderr, re.M), name
    stats = kg("stats", out)
    assert stats.exit_code == 0
    assert "articles: 2" in stats.stdout


def test_build_skips_a_binary_txt_that_is_valid_utf8(built, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_bytes((ARTICLES / "jumia-nyse-debut.txt").read_bytes())
    (folder / "zeros.txt").write_bytes(b"\x00" * 64 + b"\x01\x02\x03\x04")
    result = kg("build", folder, "-o", tmp_path / "g.trig")
    assert result.exit_code == 0, result.output
    assert "articles read: 1" in result.stdout
    assert re.search(r"^kg: skipped \S*zeros\.txt: binary", result.stderr, re.M), result.stderr


def test_build_include_hedged(built, tmp_path):
    src = tmp_path / "hedged.txt"
    src.write_text("Deals\n\nAlibaba Group signed a memorandum of understanding with Rwanda. "
                   "JD.com may sign a memorandum of understanding with Lazada next year.\n",
                   encoding="utf-8")
    plain = kg("build", src, "-o", tmp_path / "plain.trig")
    hedged = kg("build", src, "-o", tmp_path / "hedged.trig", "--include-hedged")
    assert plain.exit_code == hedged.exit_code == 0
    assert re.search(r"^  signedMOU\s+1$", plain.stdout, re.M), plain.stdout
    assert re.search(r"^  signedMOU\s+2$", hedged.stdout, re.M), hedged.stdout
    for name in ("plain.trig", "hedged.trig"):  # both keep the hedged record
        stats = kg("stats", tmp_path / name)
        assert re.search(r"^  hedged\s+1$", stats.stdout, re.M), stats.stdout


def test_build_unknown_extension_is_a_clean_error(built, tmp_path):
    result = kg("build", ARTICLES / "jumia-nyse-debut.txt", "-o", tmp_path / "graph.xyz")
    assert_clean_error(result)
    assert not (tmp_path / "graph.xyz").exists()


# ------------------------------------------------------------------ query


def test_query_list(graph):
    result = kg("query", graph, "--list")
    assert result.exit_code == 0, result.output
    names = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    assert "mous-of" in names and "deals-of" in names and "evidence" in names
    assert names == sorted(names)
    mous = next(line for line in result.stdout.splitlines() if line.startswith("mous-of"))
    assert "[params: company]" in mous


def test_query_named_with_param(graph):
    result = kg("query", graph, "--name", "mous-of", "--param", "company=Alibaba Group",
                "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows
    assert {r["company"] for r in rows} == {"Alibaba Group"}
    counterparties = {r["counterparty"] for r in rows}
    assert "Rwanda" in counterparties
    assert "Ministry of Economic Development (Italy)" in counterparties
    for r in rows:
        assert r["sentence"] and r["article"]


def test_query_named_with_param_as_table(graph):
    result = kg("query", graph, "--name", "mous-of", "--param", "company=Alibaba Group")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["company", "counterparty"]
    assert re.fullmatch(r"\(\d+ rows?\)", lines[-1])
    assert any("Rwanda" in line for line in lines[2:-1])


def test_query_sparql_text_csv(graph):
    result = kg("query", graph, "SELECT ?s ?o WHERE { ?s ecom:listedOn ?o } ORDER BY ?s ?o",
                "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "s,o"
    assert len(lines) > 10


@pytest.mark.parametrize("args", [
    ["--name", "no-such-query"],
    ["--name", "mous-of"],  # its parameter is missing
    ["--name", "mous-of", "--param", "company=Alibaba Group", "--param", "colour=red"],
    ["SELECT ?x WHERE { ?x "],  # malformed SPARQL
    ["SELECT ?x WHERE { ?x undeclared:p ?y }"],
    ["DROP ALL"],  # updates are not queries
    ["--name", "mous-of", "--param", "company=x", "--format", "xml"],
], ids=["unknown-name", "missing-param", "unknown-param", "malformed", "bad-prefix", "update",
        "bad-format"])
def test_query_errors_are_one_clean_line(graph, args):
    before = graph.read_bytes()
    line = assert_clean_error(kg("query", graph, *args))
    assert len(line) < 400
    assert graph.read_bytes() == before


def test_query_unknown_name_lists_the_known_ones(graph):
    line = assert_clean_error(kg("query", graph, "--name", "no-such-query"))
    assert "mous-of" in line


def test_query_missing_param_names_it(graph):
    line = assert_clean_error(kg("query", graph, "--name", "mous-of"))
    assert "company" in line


@pytest.mark.parametrize("command", [
    ["query", "{missing}", "--name", "mous-of", "--param", "company=x"],
    ["query", "{missing}", "SELECT ?s WHERE { ?s ?p ?o }"],
    ["stats", "{missing}"],
    ["validate", "{missing}"],
    ["map", "{missing}", "-o", "{tmp}/m.html"],
], ids=["query-named", "query-text", "stats", "validate", "map"])
def test_missing_graph_file_is_a_clean_error(tmp_path, command):
    missing = tmp_path / "nope" / "graph.trig"
    args = [a.replace("{missing}", str(missing)).replace("{tmp}", str(tmp_path)) for a in command]
    line = assert_clean_error(kg(*args))
    assert "does not exist" in line
    assert not (tmp_path / "m.html").exists()


@pytest.mark.parametrize("command", ["stats", "validate"])
def test_corrupt_graph_file_is_a_clean_error(tmp_path, command):
    bad = tmp_path / "bad.trig"
    bad.write_text("this is not { RDF", encoding="utf-8")
    assert_clean_error(kg(command, bad))


def test_graph_with_unknown_extension_is_a_clean_error(graph, tmp_path):
    other = tmp_path / "graph.xyz"
    other.write_bytes(graph.read_bytes())
    assert_clean_error(kg("stats", other))


def test_query_needs_exactly_one_query(graph):
    result = kg("query", graph)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stderr.startswith("kg: error:")


# ------------------------------------------------------------------ map, stats, validate


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def test_map_writes_a_self_contained_html_file(graph, tmp_path):
    out = tmp_path / "maps" / "map.html"
    result = kg("map", graph, "-o", out)
    assert result.exit_code == 0, result.output
    assert re.match(rf"wrote {re.escape(str(out))} \(\d+ entities, \d+ facts in the graph\)",
                    result.stdout)
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert 'id="kg-data"' in html and "Alibaba Group" in html
    parser = _Tags()
    parser.feed(html)
    assert parser.tags.count("script") == 3  # the data, vis-network and the app, all inline
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)


def test_map_with_filters(graph, tmp_path):
    out = tmp_path / "focus.html"
    result = kg("map", graph, "-o", out, "--focus", "Alibaba Group", "--depth", "2",
                "--relation", "listedOn", "--min-confidence", "0.5")
    assert result.exit_code == 0, result.output
    assert out.is_file()


def test_map_focus_by_alias_as_in_the_readme(graph, tmp_path):
    result = kg("map", graph, "-o", tmp_path / "m.html", "--focus", "Alibaba", "--depth", "2",
                "--relation", "listedOn")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args", [["--focus", "No Such Entity"], ["--relation", "bogus"]],
                         ids=["focus", "relation"])
def test_map_bad_filter_is_a_clean_error(graph, tmp_path, args):
    assert_clean_error(kg("map", graph, "-o", tmp_path / "m.html", *args))
    assert not (tmp_path / "m.html").exists()


def test_stats(graph, sample_articles):
    result = kg("stats", graph)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"articles: {len(sample_articles)}" in out
    assert re.search(r"^entities: \d+$", out, re.M)
    for rel in RELATIONS:
        assert re.search(rf"^  {rel}\s+\d+$", out, re.M), rel
    assert "fact records by status:" in out
    assert re.search(r"^  asserted\s+\d+$", out, re.M)


def test_stats_fact_counts_match_the_build_summary(built):
    result, path = built
    summary = dict(re.findall(r"^  (\w+)\s+(\d+)$", result.stdout, re.M))
    stats = kg("stats", path)
    counted = dict(re.findall(r"^  (\w+)\s+(\d+)$", stats.stdout, re.M))
    assert {r: summary[r] for r in RELATIONS} == {r: counted[r] for r in RELATIONS}


def test_validate_conforms(graph):
    result = kg("validate", graph)
    assert result.exit_code == 0, result.output
    assert "conforms" in result.stdout


def test_validate_reports_a_violation(tmp_path):
    bad = tmp_path / "bad.ttl"
    # a fact record with no sentence, offsets, confidence, rule or status
    bad.write_text("""
@prefix ecom: <https://w3id.org/kg-ecom/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
<https://example.org/r1> a ecom:FactRecord ;
    rdf:predicate ecom:signedMOU .
""", encoding="utf-8")
    result = kg("validate", bad)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Conforms: False" in result.stdout
    assert "ecom:sentence" in result.stdout or "ontology#sentence" in result.stdout


def test_map_filters_by_type_and_date(graph, tmp_path):
    out = tmp_path / "typed.html"
    result = kg("map", graph, "-o", out, "--type", "Brand", "--type", "Marketplace",
                "--since", "2015-01-01")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Brand" in html and "Marketplace" in html
    bad = kg("map", graph, "-o", out, "--since", "2019-13-01")
    assert bad.exit_code == 1 and "Traceback" not in bad.output and "kg: error:" in bad.stderr
