"""The HTML map, without a browser: filters, escaping, offline-ness, layout, determinism."""
from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import time
from datetime import date, datetime, timezone
from html.parser import HTMLParser

import networkx as nx
import numpy as np
import pytest
from browser import (ENTITY, XSS_IMG, XSS_SCRIPT, XSS_URL, add_fact, evidence, sample_graph,
                     synthetic_graph, xss_graph)

from kg import html as kg_html
from kg.errors import GraphError, InputError
from kg.html import LARGE_GRAPH, filter_graph, render_map, write_map
from kg.records import ENTITY_TYPES, RELATIONS, SYMMETRIC

BUILT = "2024-06-01T12:00:00+00:00"
DATA_RE = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.S)


def page_data(html: str) -> dict:
    match = DATA_RE.search(html)
    assert match, "the page must embed its data as application/json"
    return json.loads(match.group(1))


class _StartTags(HTMLParser):
    """Collects start tags as the browser's tokenizer sees them (script bodies are text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def start_tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _StartTags()
    parser.feed(html)
    parser.close()
    return parser.tags


def sources(data: dict, edge: dict) -> list[dict]:
    """An edge's evidence with its article's fields merged in, as the page shows it."""
    return [{**data["articles"][s["article"]], **s} for s in edge["sources"]]


def labels(H: nx.MultiDiGraph) -> list[str]:
    return sorted(H.nodes[n]["label"] for n in H)


def snapshot(G: nx.MultiDiGraph) -> tuple:
    """Everything observable about a graph, deep-copied, for before/after checks."""
    return (copy.deepcopy(G.graph),
            [(n, copy.deepcopy(a)) for n, a in G.nodes(data=True)],
            [(u, v, k, copy.deepcopy(a)) for u, v, k, a in G.edges(keys=True, data=True)])


# --------------------------------------------------------------------------- filter_graph

def test_no_filters_keeps_everything_in_a_new_graph():
    G = sample_graph()
    H = filter_graph(G)
    assert H is not G
    assert sorted(H.edges(keys=True)) == sorted(G.edges(keys=True))
    assert H.graph["title"] == G.graph["title"]
    # The copy has its own attribute dicts: editing it leaves G alone.
    n = next(iter(H))
    H.nodes[n]["label"] = "changed"
    assert G.nodes[n]["label"] != "changed"


def test_relations_filter_drops_entities_left_without_edges():
    H = filter_graph(sample_graph(), relations=["listedOn", "operates"])
    assert {k for *_, k in H.edges(keys=True)} == {"listedOn", "operates"}
    assert labels(H) == ["Alibaba Group", "Nike", "Tmall"]


def test_relations_accepts_a_single_name():
    H = filter_graph(sample_graph(), relations="signedMOU")
    assert labels(H) == ["Alibaba Group", "SAMR"]


def test_types_filter_keeps_nodes_of_those_types_and_edges_between_them():
    H = filter_graph(sample_graph(), types=["Company", "Marketplace"])
    assert labels(H) == ["Alibaba Group", "Tmall"]
    assert [k for *_, k in H.edges(keys=True)] == ["operates"]


def test_min_confidence_is_inclusive():
    H = filter_graph(sample_graph(), min_confidence=0.9)
    assert sorted(k for *_, k in H.edges(keys=True)) == ["listedOn", "operates"]


def test_undated_edges_kept_without_a_range_and_dropped_with_one():
    G = sample_graph()
    assert filter_graph(G).number_of_edges() == 5
    H = filter_graph(G, since=date(2024, 1, 1))
    assert sorted(k for *_, k in H.edges(keys=True)) == ["listedOn", "operates"]
    H = filter_graph(G, until="2023-12-31")  # ISO strings work too (CLI input)
    assert [k for *_, k in H.edges(keys=True)] == ["signedMOU"]
    H = filter_graph(G, since="2024-02-01", until="2024-02-01")  # both ends inclusive
    assert [k for *_, k in H.edges(keys=True)] == ["operates"]


def test_focus_by_label_is_case_insensitive_and_ignores_direction():
    G = sample_graph()
    H = filter_graph(G, focus="jack ma", depth=1)
    assert labels(H) == ["Alibaba Group", "Jack Ma"]
    H = filter_graph(G, focus="JACK MA", depth=2)
    assert labels(H) == ["Alibaba Group", "Jack Ma", "Nike", "SAMR", "Tmall"]
    assert filter_graph(G, focus="Jack Ma", depth=0).number_of_nodes() == 1


def test_focus_by_iri_and_combined_with_filters():
    G = sample_graph()
    H = filter_graph(G, focus=ENTITY + "tmall", relations=["operates", "listedOn"])
    assert labels(H) == ["Alibaba Group", "Nike", "Tmall"]
    # The focus entity stays even when the filters leave it no edge.
    H = filter_graph(G, focus="SAMR", relations=["listedOn"])
    assert labels(H) == ["SAMR"]
    # ...but not when its own type is excluded.
    assert filter_graph(G, focus="SAMR", types=["Company"]).number_of_nodes() == 0


def test_unknown_focus_names_the_entity_and_suggests_kg_stats():
    with pytest.raises(InputError) as err:
        filter_graph(sample_graph(), focus="Amazon")
    assert str(err.value) == ("No entity named 'Amazon' in the graph; "
                              "try `kg stats` to list entities")


def test_focus_by_alias_exact_label_first():
    G = sample_graph()
    G.nodes[ENTITY + "alibaba"]["aliases"] = ("Alibaba", "阿里巴巴")
    assert labels(filter_graph(G, focus="alibaba", depth=0)) == ["Alibaba Group"]
    assert labels(filter_graph(G, focus="阿里巴巴", depth=0)) == ["Alibaba Group"]
    # A label beats another entity's alias.
    G.add_node(ENTITY + "alibaba-pictures", label="Alibaba", type="Company", qid=None)
    assert labels(filter_graph(G, focus="Alibaba", depth=0)) == ["Alibaba"]


def test_ambiguous_focus_asks_for_an_iri():
    G = sample_graph()
    G.add_node(ENTITY + "tmall-2", label="TMALL", type="Brand", qid=None)
    with pytest.raises(InputError, match="names 2 entities"):
        filter_graph(G, focus="tmall")


@pytest.mark.parametrize("kwargs, message", [
    ({"relations": ["listedon"]}, "Unknown relation 'listedon'"),
    ({"types": ["Compnay"]}, "Unknown type 'Compnay'"),
    ({"min_confidence": 1.5}, "between 0 and 1"),
    ({"since": "2024-02-01", "until": "2024-01-01"}, "date range is empty"),
    ({"since": "last week"}, "must be a date"),
    ({"focus": "Tmall", "depth": -1}, "depth must be 0 or more"),
])
def test_bad_filters_raise_input_errors(kwargs, message):
    with pytest.raises(InputError, match=message):
        filter_graph(sample_graph(), **kwargs)


def test_filter_graph_does_not_mutate_its_input():
    G = sample_graph()
    before = snapshot(G)
    filter_graph(G, relations=["operates"], types=["Company", "Marketplace"],
                 min_confidence=0.5, since="2020-01-01", focus="tmall", depth=2)
    assert snapshot(G) == before


# --------------------------------------------------------------------------- page content

def test_header_shows_title_filters_counts_and_build_time():
    html = render_map(sample_graph(), built_at=BUILT, relations=["operates", "listedOn"],
                      min_confidence=0.5)
    header = html[html.index("<header>"):html.index("</header>")]
    assert "Sample market map" in header
    assert "relations: listedOn, operates" in header and "confidence ≥ 0.5" in header
    assert "3 entities · 2 relations" in header
    assert BUILT in header
    assert "<title>Sample market map</title>" in html


def test_header_describes_focus_and_dates():
    html = render_map(sample_graph(), built_at=BUILT, focus="tmall", since="2024-01-01")
    assert "within 1 hop(s) of Tmall" in html
    assert "first reported 2024-01-01 to …" in html


def test_title_argument_overrides_graph_title_and_has_a_default():
    assert "<title>Mine</title>" in render_map(sample_graph(), title="Mine", built_at=BUILT)
    G = sample_graph()
    del G.graph["title"]
    assert "<title>Knowledge graph</title>" in render_map(G, built_at=BUILT)


def test_built_at_defaults_to_now_in_utc():
    stamp = page_data(render_map(sample_graph()))["built_at"]
    when = datetime.fromisoformat(stamp)
    assert when.utcoffset() == timezone.utc.utcoffset(None)
    assert abs((datetime.now(timezone.utc) - when).total_seconds()) < 60


def test_legend_lists_every_type_with_shape_and_every_relation_with_colour():
    html = render_map(sample_graph(), built_at=BUILT)
    types = html[html.index('id="kg-legend-types"'):html.index('id="kg-legend-relations"')]
    relations = html[html.index('id="kg-legend-relations"'):html.index('id="kg-confidence"')]
    for name in ENTITY_TYPES:
        colour, _shape = kg_html.TYPE_STYLES[name]
        assert f'data-type="{name}"' in types and colour in types
    for name in RELATIONS:
        assert f'data-relation="{name}"' in relations
        assert kg_html.RELATION_COLOURS[name] in relations
    assert len(set(kg_html.TYPE_STYLES.values())) == len(ENTITY_TYPES)  # all distinct


def test_node_and_edge_data_carry_styles_facts_and_evidence():
    data = page_data(render_map(sample_graph(), built_at=BUILT))
    nodes = {n["label"]: n for n in data["nodes"]}
    assert nodes["Alibaba Group"]["type"] == "Company"
    assert nodes["Alibaba Group"]["wikidata"] == "https://www.wikidata.org/wiki/Q1359568"
    assert nodes["Tmall"]["wikidata"] is None
    assert nodes["Alibaba Group"]["aliases"] == ["Alibaba", "阿里巴巴"]
    assert "aliases" not in nodes["Tmall"]  # no empty lists in big pages
    for name, style in data["relations"].items():
        assert style["directed"] == (name not in SYMMETRIC)
    edges = {e["relation"]: e for e in data["edges"]}
    operates = edges["operates"]
    assert data["nodes"][operates["from"]]["label"] == "Alibaba Group"
    evidence = sources(data, operates)
    assert [s["id"] for s in evidence] == ["a1", "a2"]  # oldest first
    assert evidence[0]["href"] == "https://news.example/a1"
    assert evidence[0]["sentence"] == "Alibaba operates Tmall, its flagship marketplace."
    assert evidence[0]["published"] == "2024-02-01" and evidence[0]["confidence"] == 0.8
    assert operates["first_date"] == "2024-02-01"
    assert sources(data, edges["investedIn"])[0]["href"] is None  # no URL, no link
    # More sources, thicker edge.
    assert operates["width"] > edges["listedOn"]["width"]


def test_articles_cited_by_several_facts_are_stored_once():
    G = sample_graph()
    shared = evidence("a1", "Alibaba's Tmall hosts Nike.", url="https://news.example/a1",
                      title="Alibaba results", published=date(2024, 2, 1))
    add_fact(G, ENTITY + "alibaba", "listedOn", ENTITY + "nike", 0.5, shared)
    data = page_data(render_map(G, built_at=BUILT))
    assert [a["id"] for a in data["articles"]].count("a1") == 1
    cites = [s for e in data["edges"] for s in sources(data, e) if s["id"] == "a1"]
    assert sorted(s["sentence"] for s in cites) == [
        "Alibaba operates Tmall, its flagship marketplace.", "Alibaba's Tmall hosts Nike."]


def test_missing_or_odd_confidences_do_not_break_the_page():
    G = sample_graph()
    u, v, k = next(iter(G.edges(keys=True)))
    G.edges[u, v, k]["confidence"] = float("nan")
    del G.nodes[ENTITY + "samr"]["label"]
    data = page_data(render_map(G, built_at=BUILT))
    assert 0.0 in [e["confidence"] for e in data["edges"]]
    assert ENTITY + "samr" in [n["label"] for n in data["nodes"]]  # falls back to the IRI


def test_parallel_edges_get_distinct_curves():
    G = sample_graph()
    a, t = ENTITY + "alibaba", ENTITY + "tmall"
    add_fact(G, t, "investedIn", a, 0.5, evidence("p1", "Tmall invested in Alibaba."))
    data = page_data(render_map(G, built_at=BUILT))
    pair = sorted(e["curve"] for e in data["edges"] if {e["from"], e["to"]} == {
        i for i, n in enumerate(data["nodes"]) if n["iri"] in (a, t)})
    assert pair == [0, 1]


def test_empty_result_still_renders():
    html = render_map(sample_graph(), built_at=BUILT, min_confidence=0.99)
    assert "0 entities · 0 relations" in html
    assert "No entities match these filters." in html
    assert page_data(html)["options"]["physics"]["enabled"] is False


# --------------------------------------------------------------------------- security

def test_article_text_never_appears_as_markup():
    html = render_map(xss_graph(), built_at=BUILT)
    assert "<img src=x" not in html
    assert "<script>alert" not in html
    assert "javascript:alert" not in html.replace(page_data_block(html), "")
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", html, re.I)
    # Exactly three script elements: the data (not executable) and two inline scripts.
    scripts = [attrs for tag, attrs in start_tags(html) if tag == "script"]
    assert scripts == [{"type": "application/json", "id": "kg-data"}, {}, {}]
    # Article text creates no element and no attribute anywhere.
    for tag, attrs in start_tags(html):
        assert tag != "img"
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    # The title is HTML-escaped in <title> and the header.
    assert "<title>XSS &lt;script&gt;alert(1)&lt;/script&gt;</title>" in html


def page_data_block(html: str) -> str:
    match = DATA_RE.search(html)
    assert match
    return match.group(1)


def test_embedded_json_escapes_markup_but_round_trips_exactly():
    html = render_map(xss_graph(), built_at=BUILT)
    block = page_data_block(html)
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in block
    data = json.loads(block)
    evil = next(n for n in data["nodes"] if n["label"].startswith("Evil"))
    assert evil["label"] == f"Evil {XSS_SCRIPT}{XSS_IMG}"
    assert evil["wikidata"] is None  # a QID that is not Q<digits> gets no link
    source = sources(data, data["edges"][0])[0]
    assert source["sentence"] == f"Sentence {XSS_IMG} and {XSS_SCRIPT}."
    assert source["title"] == f"Title {XSS_SCRIPT}{XSS_IMG}"
    assert source["url"] == XSS_URL and source["href"] is None


def test_line_separators_cannot_break_the_json():
    G = sample_graph()
    G.nodes[ENTITY + "tmall"]["label"] = "Tm\u2028all\u2029</script><!--"
    html = render_map(G, built_at=BUILT)
    assert page_data(html)["nodes"][-1]["label"] == "Tm\u2028all\u2029</script><!--"
    assert html.count("</script>") == 3


@pytest.mark.parametrize("url, href", [
    ("https://news.example/a?b=1&c=2", "https://news.example/a?b=1&c=2"),
    ("http://news.example/", "http://news.example/"),
    ("javascript:alert(1)", None),
    ("JAVASCRIPT:alert(1)", None),
    (" javascript:alert(1)", None),
    ("java\tscript:alert(1)", None),
    ("data:text/html,<script>alert(1)</script>", None),
    ("vbscript:msgbox(1)", None),
    ("//news.example/x", None),
    ("https:///nohost", None),
    (None, None),
])
def test_only_web_urls_become_links(url, href):
    assert kg_html._safe_href(url) == href


# --------------------------------------------------------------------------- offline

def test_page_is_self_contained():
    html = render_map(sample_graph(), built_at=BUILT)
    for tag, attrs in start_tags(html):
        assert tag not in {"link", "img", "iframe", "object", "embed", "audio", "video",
                           "source", "base", "form"}, tag
        assert "src" not in attrs, (tag, attrs)
        assert not any(str(v).lower().startswith(("http", "//")) for v in attrs.values()), attrs
    assert "@import" not in html
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html, re.I)
    assert "sourceMappingURL" not in html
    # vis-network is inlined with its licence header.
    assert "vis-network" in html and "@license" in html
    assert "vis.js is dual licensed" in html


def test_content_security_policy_allows_only_the_inline_scripts():
    html = render_map(sample_graph(), built_at=BUILT)
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert csp, "the page must carry a CSP"
    policy = csp.group(1).replace("&#39;", "'")
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy


# --------------------------------------------------------------------------- determinism, mutation

def test_output_is_deterministic_apart_from_built_at():
    G = sample_graph()
    first = render_map(G, built_at=BUILT)
    assert render_map(G, built_at=BUILT) == first
    other = render_map(G, built_at="2030-01-01T00:00:00+00:00")
    assert other.replace("2030-01-01T00:00:00+00:00", BUILT) == first


def test_output_does_not_depend_on_insertion_order():
    G = sample_graph()
    R = nx.MultiDiGraph()
    R.graph.update(G.graph)
    R.add_nodes_from(reversed(list(G.nodes(data=True))))
    R.add_edges_from(reversed(list(G.edges(keys=True, data=True))))
    assert render_map(R, built_at=BUILT) == render_map(G, built_at=BUILT)


def test_write_map_does_not_mutate_the_graph(tmp_path):
    G = sample_graph()
    before = snapshot(G)
    write_map(G, tmp_path / "map.html", built_at=BUILT, relations=["operates"], focus="Tmall")
    write_map(G, tmp_path / "all.html", built_at=BUILT)
    assert snapshot(G) == before


def test_write_map_writes_one_file_and_returns_its_path(tmp_path):
    target = tmp_path / "deep" / "dir" / "map.html"
    out = write_map(sample_graph(), target, built_at=BUILT, title="T")
    assert out == target and out.is_file()
    assert out.read_text(encoding="utf-8") == render_map(sample_graph(), built_at=BUILT,
                                                        title="T")
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["map.html"]


def test_write_map_reports_unwritable_paths(tmp_path):
    with pytest.raises(GraphError, match="Cannot write the map"):
        write_map(sample_graph(), tmp_path, built_at=BUILT)  # a directory


# --------------------------------------------------------------------------- layout

def test_small_maps_use_capped_physics_with_labels():
    data = page_data(render_map(sample_graph(), built_at=BUILT))
    assert data["large"] is False
    physics = data["options"]["physics"]
    assert physics["enabled"] is True
    assert physics["stabilization"]["iterations"] == 200


@pytest.mark.parametrize("n_nodes, iterations", [(1, 200), (250, 200), (500, 100),
                                                 (LARGE_GRAPH, 50)])
def test_physics_cap_shrinks_as_maps_grow(n_nodes, iterations):
    physics = kg_html._vis_options(n_nodes)["physics"]
    assert physics["enabled"] is True
    assert physics["stabilization"]["iterations"] == iterations
    assert kg_html._vis_options(LARGE_GRAPH + 1)["physics"] == {"enabled": False}


def test_large_maps_get_a_python_layout_and_no_physics():
    G = synthetic_graph(LARGE_GRAPH + 200)
    started = time.perf_counter()
    html = render_map(G, built_at=BUILT)
    elapsed = time.perf_counter() - started
    data = page_data(html)
    assert data["large"] is True
    options = data["options"]
    assert options["physics"] == {"enabled": False}
    assert options["layout"]["improvedLayout"] is False
    assert options["edges"]["smooth"] is False
    assert all(e["curve"] == 0 for e in data["edges"])
    xy = np.array([(n["x"], n["y"]) for n in data["nodes"]])
    assert len(np.unique(xy, axis=0)) > 0.95 * len(xy)  # spread out, not piled up
    assert np.isfinite(xy).all()
    assert html == render_map(G, built_at=BUILT)  # seeded: same layout every time
    assert elapsed < 10


def test_layout_of_20000_nodes_takes_seconds():
    rng = np.random.default_rng(3)
    n, m = 20_000, 30_000
    src = rng.integers(0, n, m)
    dst = (src + 1 + rng.integers(0, n - 1, m)) % n  # no self-loops
    started = time.perf_counter()
    xy = kg_html._layout(n, src, dst)
    assert time.perf_counter() - started < 8
    assert xy.shape == (n, 2) and np.isfinite(xy).all()
    # Neighbours end up closer than random pairs: the layout means something.
    linked = np.linalg.norm(xy[src] - xy[dst], axis=1).mean()
    random_pairs = np.linalg.norm(xy[rng.integers(0, n, m)] - xy[rng.integers(0, n, m)],
                                  axis=1).mean()
    assert linked < 0.5 * random_pairs
