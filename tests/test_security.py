"""Hostile article text end to end: build -> map must not inject markup; query params are data.

An article (as .txt and as .json) whose title and text carry ``<script>`` / ``<img onerror>``
payloads and whose URL is ``javascript:``, with sentences that really produce facts, so the
payload travels through extraction, RDF, networkx and into the HTML map as evidence. And a
SPARQL-injection attempt through ``kg query --param``. Real model, real gazetteers, no network.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CLEAN_ENV = {"KG_MODEL": None, "KG_GAZETTEERS": None, "KG_ONTOLOGY": None}
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_URL = "javascript:alert(1)"
TITLE = f"Alibaba {XSS_SCRIPT} signs MOU {XSS_IMG}"
MOU = f"Alibaba Group signed a memorandum of understanding with France on Friday {XSS_IMG}."
STORE = f"Nike ({XSS_SCRIPT}) opened a flagship store on Tmall last year."
TEXT = f"{MOU}\n\n{STORE}\n"
DATA_RE = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.S)
INJECTIONS = [
    'x" } ; DROP ALL ; #',
    "x' } ; DROP ALL ; #",
    'Alibaba Group" } UNION { ?e ?p ?company } #',
    'x" . } DELETE WHERE { ?s ?p ?o } #',
    "Alibaba Group\"@en } ; CLEAR DEFAULT ; #",
]


def kg(*args):
    return CliRunner(env=CLEAN_ENV).invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "xss-txt.txt").write_text(f"{TITLE}\n\n{TEXT}", encoding="utf-8")
    (folder / "xss-json.json").write_text(json.dumps({
        "id": "xss-json", "url": XSS_URL, "title": TITLE, "published": "2024-01-02", "text": TEXT,
    }), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(hostile, tmp_path_factory):
    graph = tmp_path_factory.mktemp("out") / "graph.trig"
    result = kg("build", hostile, "-o", graph)
    assert result.exit_code == 0, result.output
    assert "articles read: 2" in result.stdout
    return graph


@pytest.fixture(scope="module")
def page(built) -> str:
    out = built.parent / "map.html"
    result = kg("map", built, "-o", out)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def data_block(html: str) -> str:
    match = DATA_RE.search(html)
    assert match, "the map embeds its data as application/json"
    return match.group(1)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_facts_carrying_the_payload_are_extracted(hostile):
    result = kg("extract", hostile, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    got = {(r["doc"], r["subject"], r["relation"], r["object"], r["sentence"]) for r in rows}
    for doc in ("xss-txt", "xss-json"):
        assert (doc, "Alibaba Group", "signedMOU", "France", MOU) in got
        assert (doc, "Nike", "listedOn", "Tmall", STORE) in got


def test_the_graph_keeps_the_payload_as_plain_literals(built):
    from rdflib import Literal

    from kg.namespace import ECOM, SCHEMA, article_iri
    from kg.rdf import load

    ds = load(built)
    sentences = {str(o) for o in ds.objects(None, ECOM.sentence)}
    assert {MOU, STORE} <= sentences
    assert str(ds.value(article_iri("xss-json"), SCHEMA.headline)) == TITLE
    assert ds.value(article_iri("xss-json"), SCHEMA.url) == Literal(XSS_URL, datatype=(
        "http://www.w3.org/2001/XMLSchema#anyURI"))
    assert str(ds.value(article_iri("xss-txt"), SCHEMA.headline)) == TITLE


def test_map_has_no_raw_payload(page):
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "onerror=alert" not in page.replace(data_block(page), "")
    assert "alert(1)" not in page.replace(data_block(page), "")


def test_map_has_no_javascript_link(page):
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", page, re.I)
    # "javascript:" itself occurs in vis-network's code and a comment of the app script
    assert XSS_URL not in page.replace(data_block(page), "")
    for tag, attrs in (_parse(page)):
        for value in attrs.values():
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, attrs)


def _parse(html: str):
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def test_map_markup_is_only_ours(page):
    tags = _parse(page)
    assert not any(tag == "img" for tag, _ in tags)
    scripts = [attrs for tag, attrs in tags if tag == "script"]
    assert len(scripts) == 3
    assert not any(any(name.startswith("on") for name in attrs) for _, attrs in tags)


def test_payload_is_in_the_data_only_escaped(page):
    block = data_block(page)
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in block
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in block
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)
    sources = [s for e in data["edges"] for s in e["sources"]]
    sentences = {s["sentence"] for s in sources}
    assert MOU in sentences and STORE in sentences  # escaped, not dropped
    articles = [article_of(data, s) for s in sources]
    assert {a["id"] for a in articles} == {"xss-txt", "xss-json"}
    assert {a["title"] for a in articles} == {TITLE}
    for article in articles:
        if article["id"] == "xss-json":
            assert article["url"] == XSS_URL  # shown as text by the page
            assert article["href"] is None  # never a link
        else:
            assert article["url"] is None and article["href"] is None


def article_of(data: dict, source: dict) -> dict:
    """The article a piece of evidence cites: id, title, url, href.

    The page either stores articles once (``data["articles"]``, cited by index) or
    repeats them in every source.
    """
    if isinstance(source.get("article"), int) and "articles" in data:
        return data["articles"][source["article"]]
    return {"id": source["article_id"], "title": source.get("title"), "url": source.get("url"),
            "href": source.get("href")}


def test_focused_map_is_escaped_too(built, tmp_path):
    out = tmp_path / "focus.html"
    result = kg("map", built, "-o", out, "--focus", "Alibaba Group", "--relation", "signedMOU")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", html, re.I)
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in data_block(html)


# ------------------------------------------------------------------ SPARQL injection


@pytest.mark.parametrize("payload", INJECTIONS)
def test_sparql_injection_through_a_named_query_param(built, payload):
    before = built.read_bytes()
    mtime = built.stat().st_mtime_ns
    result = kg("query", built, "--name", "mous-of", "--param", f"company={payload}",
                "--format", "json")
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert json.loads(result.stdout) == []
    else:
        assert result.exit_code == 1
        assert result.stderr.startswith("kg: error:") and len(result.stderr.splitlines()) == 1
    assert built.read_bytes() == before
    assert built.stat().st_mtime_ns == mtime


@pytest.mark.parametrize("payload", INJECTIONS[:2])
def test_sparql_injection_through_a_text_query_param(built, payload):
    before = built.read_bytes()
    result = kg("query", built, "SELECT ?e WHERE { ?e rdfs:label ?name }", "--param",
                f"name={payload}", "--format", "json")
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    assert built.read_bytes() == before


def test_graph_still_answers_after_injection_attempts(built):
    for payload in INJECTIONS:
        kg("query", built, "--name", "deals-of", "--param", f"company={payload}")
    result = kg("query", built, "--name", "mous-of", "--param", "company=Alibaba Group",
                "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["counterparty"] for r in rows} == {"France"}
    assert {r["sentence"] for r in rows} == {MOU}
    assert any(r["url"] == XSS_URL for r in rows)  # the URL is data, returned as is


@pytest.mark.parametrize("update", ["DROP ALL", "CLEAR DEFAULT",
                                    "DELETE WHERE { ?s ?p ?o }",
                                    "INSERT DATA { <urn:a> <urn:b> <urn:c> }"])
def test_update_requests_are_refused(built, update):
    before = built.read_bytes()
    result = kg("query", built, update)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.startswith("kg: error:")
    assert built.read_bytes() == before
