"""Shared helpers for the map tests: headless Chromium, and graphs in kg's schema.

Chromium is Debian's ``/usr/bin/chromium`` (``apt-get install -y chromium``, as CI
does), driven by Playwright's Python API; Playwright's own browser downloads are
never used. A missing Chromium is an error, not a skip: the browser tests are the
only check that the page really works.
"""
from __future__ import annotations

import contextlib
import pathlib
import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import networkx as nx

from kg.records import ENTITY_TYPES, RELATIONS, Evidence

CHROMIUM = pathlib.Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ENTITY = "https://w3id.org/kg-ecom/entity/"

#: Markup that must stay inert wherever article text lands on the page.
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_URL = "javascript:alert(1)"


class ChromiumMissing(RuntimeError):
    """Debian's Chromium is not installed where the tests expect it."""


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Yield a headless Playwright ``Browser`` running ``/usr/bin/chromium``.

    Raises
    ------
    ChromiumMissing
        If ``/usr/bin/chromium`` does not exist (install it; do not run
        ``playwright install``).
    """
    if not CHROMIUM.exists():
        raise ChromiumMissing(
            f"{CHROMIUM} not found: the browser tests need Debian's Chromium. Install it with "
            "`apt-get update && apt-get install -y chromium` (CI does); "
            "do not use `playwright install`.")
    from playwright.sync_api import sync_playwright  # only the browser tests need it

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def evidence(article_id: str, sentence: str, *, url: str | None = None,
             title: str | None = None, published: date | None = None,
             confidence: float = 0.8) -> Evidence:
    return Evidence(article_id, sentence, url=url, title=title, published=published,
                    confidence=confidence, rule="test.rule")


def add_fact(G: nx.MultiDiGraph, subject: str, relation: str, obj: str, confidence: float,
             *sources: Evidence) -> None:
    """Add one edge in kg's schema; ``first_date`` is the earliest source date."""
    dates = [s.published for s in sources if s.published]
    G.add_edge(subject, obj, key=relation, relation=relation, confidence=confidence,
               sources=tuple(sources), first_date=min(dates) if dates else None)


def sample_graph() -> nx.MultiDiGraph:
    """Five entities (Alibaba with aliases), five facts (one per relation, one undated)."""
    G = nx.MultiDiGraph(title="Sample market map")
    for slug, label, kind, qid in [
        ("alibaba", "Alibaba Group", "Company", "Q1359568"),
        ("tmall", "Tmall", "Marketplace", None),
        ("nike", "Nike", "Brand", "Q483915"),
        ("samr", "SAMR", "GovernmentBody", None),
        ("jack-ma", "Jack Ma", "Person", "Q1137062"),
    ]:
        G.add_node(ENTITY + slug, label=label, type=kind, qid=qid, aliases=())
    G.nodes[ENTITY + "alibaba"]["aliases"] = ("Alibaba", "阿里巴巴")
    a, t, n, s, j = (ENTITY + x for x in ("alibaba", "tmall", "nike", "samr", "jack-ma"))
    add_fact(G, a, "operates", t, 0.95,
             evidence("a1", "Alibaba operates Tmall, its flagship marketplace.",
                      url="https://news.example/a1", title="Alibaba results",
                      published=date(2024, 2, 1)),
             evidence("a2", "Tmall, run by Alibaba, grew in March.",
                      url="https://news.example/a2", title="Tmall grows",
                      published=date(2024, 3, 5)))
    add_fact(G, n, "listedOn", t, 0.9,
             evidence("a3", "Nike opened a flagship store on Tmall.",
                      url="https://news.example/a3", title="Nike on Tmall",
                      published=date(2024, 5, 10)))
    add_fact(G, a, "signedMOU", s, 0.7,
             evidence("a4", "Alibaba signed an MOU with SAMR.", url="https://news.example/a4",
                      title="MOU signed", published=date(2023, 11, 20)))
    add_fact(G, n, "fightsCounterfeitWith", a, 0.6,
             evidence("a5", "Nike and Alibaba joined forces against fakes.",
                      url="https://news.example/a5", title="Fakes", published=None))
    add_fact(G, j, "investedIn", a, 0.4,
             evidence("a6", "Jack Ma invested in Alibaba.", url=None, title=None))
    return G


def xss_graph() -> nx.MultiDiGraph:
    """A graph whose label, title, sentence and URL all carry script payloads."""
    G = nx.MultiDiGraph(title="XSS " + XSS_SCRIPT)
    evil, good = ENTITY + "evil", ENTITY + "good"
    G.add_node(evil, label=f"Evil {XSS_SCRIPT}{XSS_IMG}", type="Company", qid=XSS_IMG)
    G.add_node(good, label="Good Marketplace", type="Marketplace", qid=None)
    add_fact(G, evil, "listedOn", good, 0.9,
             evidence("x1" + XSS_IMG, f"Sentence {XSS_IMG} and {XSS_SCRIPT}.", url=XSS_URL,
                      title=f"Title {XSS_SCRIPT}{XSS_IMG}", published=date(2024, 1, 2)),
             evidence("x2", "A second sentence.", url="https://news.example/x2",
                      title=f"Safe link {XSS_IMG}", published=date(2024, 1, 3)))
    return G


def synthetic_graph(n_nodes: int, *, edges_per_node: float = 1.5,
                    seed: int = 1) -> nx.MultiDiGraph:
    """A seeded random graph in kg's schema, for layout and scale checks."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph(title=f"Synthetic {n_nodes}")
    iris = [f"{ENTITY}n{i:06d}" for i in range(n_nodes)]
    for i, iri in enumerate(iris):
        G.add_node(iri, label=f"Entity {i}", type=rng.choice(ENTITY_TYPES), qid=None)
    start = date(2020, 1, 1)
    for k in range(int(n_nodes * edges_per_node)):
        u, v = rng.sample(iris, 2)
        day = start + timedelta(days=rng.randrange(1500))
        add_fact(G, u, rng.choice(RELATIONS), v, round(rng.uniform(0.3, 1.0), 2),
                 evidence(f"s{k}", f"Sentence {k}.", url=f"https://news.example/s{k}",
                          title=f"Story {k}", published=day))
    return G
