"""Benchmark: how soon kg's HTML map is usable, next to a default pyvis page.

For synthetic news graphs of 500, 5,000 and 20,000 entities (about 1.5 relations
per entity, realistic types and relations, seeded) this writes kg's map with
:func:`kg.html.write_map` and a plain pyvis page of the same graph
(``Network(cdn_resources="in_line")``, nodes and edges added in bulk, default
vis options), opens each in headless Debian Chromium, and prints a table.

"Interactive" is defined the same way for both pages, without touching them: an
init script wraps ``vis.Network`` before the page's scripts run, and the page
counts as interactive once

1. vis-network has drawn a frame (``afterDrawing``) while its physics engine is
   ``ready`` -- i.e. after the initial stabilisation, if any, has finished
   (``stabilizationIterationsDone``), or at once when physics is off -- and
2. the page's main thread then answers a ``page.evaluate`` round trip.

The time runs from the start of navigation to (2). Requests other than the file
itself (pyvis links Bootstrap from a CDN even "in line") are aborted, so the
benchmark is offline. A page not interactive after ``--timeout`` seconds
(default 120) is reported as a timeout.

Targets for kg's map: 5,000 nodes in at most 3 s, 20,000 in at most 10 s.

Usage::

    .venv/bin/python bench/map.py [--sizes 500 5000 20000] [--timeout 120]
                                  [--repeat 1] [--no-pyvis] [--out DIR]
"""
from __future__ import annotations

import argparse
import pathlib
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from typing import Any

import networkx as nx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # run from a checkout

from kg.html import write_map  # noqa: E402
from kg.records import Evidence  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ENTITY = "https://w3id.org/kg-ecom/entity/"
TARGETS = {5_000: 3.0, 20_000: 10.0}  # nodes -> seconds allowed for kg's map

#: Installed before any page script: wraps vis.Network to flag the first frame drawn
#: once physics is ready (see the module docstring for the definition).
READY_HOOK = """
(() => {
  let RealNetwork;
  function Network(...args) {
    const net = new RealNetwork(...args);
    net.on("afterDrawing", function check() {
      if (net.physics && net.physics.ready) {
        net.off("afterDrawing", check);
        window.__benchReady = true;
      }
    });
    return net;
  }
  const hub = {};
  Object.defineProperty(hub, "Network", {
    configurable: true, enumerable: true,
    get() { return RealNetwork && Network; },
    set(value) { RealNetwork = value; },
  });
  window.vis = hub;  // vis-network's UMD wrapper fills in this object
})();
"""

# Entity types with their share of a news graph, and what each relation links.
TYPE_SHARES = {"Company": 40, "Brand": 22, "Marketplace": 4, "GovernmentBody": 6,
               "Country": 3, "Person": 12, "Organization": 13}
RELATION_SHAPES = {  # relation: (share, subject types, object types)
    "listedOn": (30, ("Company", "Brand"), ("Marketplace",)),
    "operates": (15, ("Company",), ("Marketplace", "Brand")),
    "investedIn": (20, ("Company", "Person", "Organization"), ("Company",)),
    "signedMOU": (20, ("Company", "Marketplace", "Organization"),
                  ("GovernmentBody", "Company", "Country")),
    "fightsCounterfeitWith": (15, ("Marketplace", "Brand"),
                              ("Brand", "GovernmentBody", "Organization")),
}
SYLLABLES = ["al", "bo", "ca", "de", "ex", "fi", "go", "ha", "in", "jo", "ka", "lu", "ma",
             "no", "or", "pe", "qu", "ra", "si", "to", "ul", "va", "wo", "xi", "ya", "ze"]
SUFFIX = {"Company": "Holdings", "Brand": "", "Marketplace": "Mall", "GovernmentBody": "Agency",
          "Country": "land", "Person": "", "Organization": "Association"}
VERBS = {"listedOn": "opened a flagship store on", "operates": "operates",
         "investedIn": "invested in", "signedMOU": "signed a memorandum with",
         "fightsCounterfeitWith": "joined forces against counterfeits with"}


# --------------------------------------------------------------------------- graphs

def synthetic_graph(n_nodes: int, *, edges_per_node: float = 1.5,
                    seed: int = 42) -> nx.MultiDiGraph:
    """A seeded news-like graph in kg's schema; object choice is skewed so hubs appear."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph(title=f"Synthetic e-commerce news graph ({n_nodes:,} entities)")
    pools: dict[str, list[str]] = {t: [] for t in TYPE_SHARES}
    kinds = rng.choices(list(TYPE_SHARES), weights=list(TYPE_SHARES.values()), k=n_nodes)
    for i, kind in enumerate(kinds):
        label = _name(rng, kind, i)
        iri = f"{ENTITY}{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}-{i}"
        G.add_node(iri, label=label, type=kind, qid=f"Q{1000 + i}" if rng.random() < 0.3 else None)
        pools[kind].append(iri)
    relations = list(RELATION_SHAPES)
    shares = [RELATION_SHAPES[r][0] for r in relations]
    target = int(n_nodes * edges_per_node)
    while G.number_of_edges() < target:
        relation = rng.choices(relations, weights=shares)[0]
        _, subjects, objects = RELATION_SHAPES[relation]
        u = _pick(rng, pools, subjects, skew=1.0)
        v = _pick(rng, pools, objects, skew=2.5)
        if u is None or v is None or u == v or G.has_edge(u, v, key=relation):
            continue
        sources = tuple(_evidence(rng, G, u, relation, v) for _ in range(_source_count(rng)))
        G.add_edge(u, v, key=relation, relation=relation,
                   confidence=round(max(s.confidence for s in sources), 2), sources=sources,
                   first_date=min(s.published for s in sources))
    return G


def _name(rng: random.Random, kind: str, i: int) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
    if kind == "Person":
        word += " " + "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize()
    return f"{word} {SUFFIX[kind]}".strip()


def _pick(rng: random.Random, pools: dict[str, list[str]], kinds: tuple[str, ...],
          skew: float) -> str | None:
    """A node of one of ``kinds``; ``skew`` > 1 favours the first nodes of a pool (hubs)."""
    pool = pools[rng.choice(kinds)]
    return pool[int(len(pool) * rng.random() ** skew)] if pool else None


def _source_count(rng: random.Random) -> int:
    count = 1
    while count < 6 and rng.random() < 0.35:
        count += 1
    return count


def _evidence(rng: random.Random, G: nx.MultiDiGraph, u: str, relation: str, v: str) -> Evidence:
    published = date(2019, 1, 1) + timedelta(days=rng.randrange(6 * 365))
    article = f"art-{rng.getrandbits(40):010x}"
    subject, obj = G.nodes[u]["label"], G.nodes[v]["label"]
    sentence = (f"{subject} {VERBS[relation]} {obj}, the company said in a statement on "
                f"{published:%B %d}, citing growing cross-border e-commerce demand.")
    return Evidence(article, sentence, url=f"https://news.example.com/{published:%Y/%m}/{article}",
                    title=f"{subject} and {obj}: {relation} update", published=published,
                    confidence=round(rng.uniform(0.5, 0.99), 2), rule=f"{relation}.pattern")


# --------------------------------------------------------------------------- pages

def write_pyvis_page(G: nx.MultiDiGraph, path: pathlib.Path) -> pathlib.Path:
    """The same graph through pyvis with default options, everything inlined.

    ``directed=True`` only draws arrowheads; it is needed because pyvis's undirected
    mode scans every existing edge for each new one (O(E²), minutes at 30,000 edges).
    """
    from pyvis.network import Network

    net = Network(cdn_resources="in_line", directed=True)
    ids = sorted(G.nodes)
    net.add_nodes(ids, label=[str(G.nodes[n]["label"]) for n in ids])
    net.add_edges(sorted((u, v) for u, v in G.edges()))
    net.write_html(str(path))
    return path


def time_to_interactive(browser: Any, path: pathlib.Path, timeout_s: float) -> float | None:
    """Seconds from navigation to interactive (module docstring), or None on timeout."""
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_init_script(READY_HOOK)
    context.route(re.compile(r"^(https?|wss?)://"), lambda route: route.abort())
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(path.resolve().as_uri(), wait_until="commit", timeout=timeout_s * 1000)
        remaining = max(1.0, timeout_s - (time.perf_counter() - started))
        page.wait_for_function("() => window.__benchReady === true", timeout=remaining * 1000)
        page.evaluate("() => 1")
        return time.perf_counter() - started
    except PlaywrightError:
        return None
    finally:
        context.close()


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5_000, 20_000])
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per page")
    parser.add_argument("--repeat", type=int, default=1, help="loads per kg page (median)")
    parser.add_argument("--no-pyvis", action="store_true", help="skip the pyvis pages")
    parser.add_argument("--out", type=pathlib.Path, help="keep the pages in this directory")
    args = parser.parse_args(argv)
    out = args.out or pathlib.Path(tempfile.mkdtemp(prefix="kg-bench-map-"))
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        time_to_interactive(browser, write_map(synthetic_graph(50), out / "warmup.html"), 60)
        for n in args.sizes:
            rows.append(_measure(browser, n, out, args))
            _print_row(rows[-1])
        browser.close()
    print()
    _print_table(rows)
    print(f"\npages in {out}")
    return 0 if all(r["ok"] for r in rows) else 1


def _measure(browser: Any, n: int, out: pathlib.Path, args: argparse.Namespace) -> dict[str, Any]:
    G = synthetic_graph(n)
    started = time.perf_counter()
    kg_page = write_map(G, out / f"kg-{n}.html")
    write_seconds = time.perf_counter() - started
    seconds = [time_to_interactive(browser, kg_page, args.timeout) for _ in range(args.repeat)]
    kg_seconds = None if None in seconds else statistics.median(seconds)
    row = {"nodes": n, "edges": G.number_of_edges(), "write": write_seconds,
           "kg_mb": kg_page.stat().st_size / 1e6, "kg": kg_seconds,
           "pyvis_mb": None, "pyvis": None, "pyvis_ran": False, "timeout": args.timeout}
    if not args.no_pyvis:
        pyvis_page = write_pyvis_page(G, out / f"pyvis-{n}.html")
        row.update(pyvis_mb=pyvis_page.stat().st_size / 1e6, pyvis_ran=True,
                   pyvis=time_to_interactive(browser, pyvis_page, args.timeout))
    target = TARGETS.get(n)
    row["target"] = target
    row["ok"] = kg_seconds is not None and (target is None or kg_seconds <= target)
    return row


def _print_row(row: dict[str, Any]) -> None:
    print(f"  {row['nodes']:>6} nodes: kg {_secs(row['kg'])}"
          f", pyvis {_secs(row['pyvis']) if row['pyvis_ran'] else 'skipped'}", flush=True)


def _secs(value: float | None) -> str:
    return "timeout" if value is None else f"{value:.2f}"


def _print_table(rows: list[dict[str, Any]]) -> None:
    header = ("nodes", "edges", "kg MB", "pyvis MB", "kg write s", "kg s", "pyvis s", "target")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---:" for _ in header) + "|")
    for r in rows:
        target = "-" if r["target"] is None else (
            f"≤ {r['target']:g} s {'met' if r['ok'] else 'MISSED'}")
        pyvis_s = "skipped" if not r["pyvis_ran"] else (
            f"> {r['timeout']:g} (timeout)" if r["pyvis"] is None else f"{r['pyvis']:.2f}")
        cells = (f"{r['nodes']:,}", f"{r['edges']:,}", f"{r['kg_mb']:.1f}",
                 "-" if r["pyvis_mb"] is None else f"{r['pyvis_mb']:.1f}",
                 f"{r['write']:.2f}", _secs(r["kg"]), pyvis_s, target)
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
