"""The HTML map in real headless Chromium: offline, clickable, searchable, inert to XSS.

Needs Debian's ``/usr/bin/chromium``; without it these tests fail (never skip),
because CI installs it and a silently skipped browser test proves nothing.
"""
from __future__ import annotations

import pathlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pytest
from browser import (XSS_IMG, XSS_SCRIPT, XSS_URL, ChromiumMissing, chromium, sample_graph,
                     synthetic_graph, xss_graph)

from kg.html import LARGE_GRAPH, write_map

pytestmark = pytest.mark.browser
BUILT = "2024-06-01T12:00:00+00:00"
READY_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        with chromium() as launched:
            yield launched
    except ChromiumMissing as exc:
        pytest.fail(str(exc), pytrace=False)


@dataclass
class MapPage:
    """A loaded map plus everything it did: requests, console errors, dialogs."""

    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def node_index(self, label: str) -> int:
        return self.js("l => kg.data.nodes.findIndex(n => n.label === l)", label)

    def click_canvas_at(self, point: dict[str, float]) -> None:
        box = self.page.locator("#kg-network canvas").bounding_box()
        self.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])

    def node_point(self, index: int) -> dict[str, float]:
        return self.js("i => kgNetwork.canvasToDOM(kgNetwork.getPosition(i))", index)

    def panel_text(self) -> str:
        return self.page.locator("#kg-panel").inner_text()


def open_map(browser: Any, G: nx.MultiDiGraph, path: pathlib.Path, **kwargs: Any) -> MapPage:
    write_map(G, path, built_at=BUILT, **kwargs)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    loaded = MapPage(page, path.resolve().as_uri())
    page.on("request", lambda request: loaded.requests.append(request.url))
    page.on("console", lambda msg: msg.type in ("error", "warning")
            and loaded.errors.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda exc: loaded.errors.append(f"pageerror: {exc}"))

    def on_dialog(dialog: Any) -> None:
        loaded.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(loaded.url)
    page.wait_for_function("() => window.kgReady === true", timeout=READY_TIMEOUT_MS)
    return loaded


@pytest.fixture
def sample_map(browser: Any, tmp_path: pathlib.Path) -> Iterator[MapPage]:
    loaded = open_map(browser, sample_graph(), tmp_path / "sample.html")
    yield loaded
    loaded.page.close()


def test_map_loads_offline_without_errors(sample_map: MapPage):
    assert sample_map.requests == [sample_map.url]  # the file itself, nothing else
    assert sample_map.errors == []
    assert sample_map.js("kgNetwork.body.data.nodes.length") == 5
    assert sample_map.js("kgNetwork.body.data.edges.length") == 5
    # Physics ran its capped stabilisation and is now off.
    assert sample_map.js("kgNetwork.physics.options.enabled") is False
    header = sample_map.page.locator("header").inner_text()
    assert "Sample market map" in header and "5 entities · 5 relations" in header
    assert BUILT in header


def test_legend_shows_types_and_relations(sample_map: MapPage):
    page = sample_map.page
    assert page.locator("#kg-legend-types li").count() == 7
    assert page.locator("#kg-legend-relations li").count() == 5
    assert page.locator("#kg-legend").is_visible()
    types = page.locator("#kg-legend-types").inner_text()
    assert "Marketplace" in types and "■" in types
    relations = page.locator("#kg-legend-relations").inner_text()
    assert "listedOn →" in relations and "signedMOU ↔" in relations


def test_clicking_a_node_shows_its_facts(sample_map: MapPage):
    tmall = sample_map.node_index("Tmall")
    sample_map.click_canvas_at(sample_map.node_point(tmall))
    assert sample_map.js("kgNetwork.getSelectedNodes()") == [tmall]
    panel = sample_map.panel_text()
    assert panel.startswith("Tmall")
    assert "Marketplace" in panel
    assert "operates ← Alibaba Group (0.95, 2 sources)" in panel
    assert "listedOn ← Nike (0.90, 1 source)" in panel
    # A fact in the panel leads to its evidence.
    sample_map.page.get_by_role("button", name="operates ← Alibaba Group").click()
    assert "Alibaba operates Tmall, its flagship marketplace." in sample_map.panel_text()
    assert sample_map.errors == []


def test_clicking_an_edge_shows_its_evidence_with_a_source_link(sample_map: MapPage):
    nike, tmall = sample_map.node_index("Nike"), sample_map.node_index("Tmall")
    a, b = sample_map.node_point(nike), sample_map.node_point(tmall)
    sample_map.click_canvas_at({"x": (a["x"] + b["x"]) / 2, "y": (a["y"] + b["y"]) / 2})
    edge = sample_map.js("kg.data.edges.findIndex(e => e.relation === 'listedOn')")
    assert sample_map.js("kgNetwork.getSelectedEdges()") == [edge]
    panel = sample_map.panel_text()
    assert "listedOn" in panel and "Confidence\n0.90" in panel
    assert "Nike opened a flagship store on Tmall." in panel
    link = sample_map.page.locator("#kg-panel a", has_text="Nike on Tmall")
    assert link.get_attribute("href") == "https://news.example/a3"
    assert link.get_attribute("rel") == "noopener noreferrer"


def test_wikidata_link_for_entities_with_a_qid(sample_map: MapPage):
    sample_map.js("kg.selectNode(kg.data.nodes.findIndex(n => n.label === 'Nike'))")
    link = sample_map.page.locator("#kg-panel a", has_text="Q483915")
    assert link.get_attribute("href") == "https://www.wikidata.org/wiki/Q483915"


def test_search_box_selects_and_zooms_to_an_entity(sample_map: MapPage):
    page = sample_map.page
    page.locator("#kg-search").fill("nik")
    assert page.locator("#kg-suggestions button").first.inner_text() == "Nike · Brand"
    page.locator("#kg-search").press("Enter")
    nike = sample_map.node_index("Nike")
    assert sample_map.js("kgNetwork.getSelectedNodes()") == [nike]
    assert sample_map.panel_text().startswith("Nike")
    page.wait_for_timeout(500)  # the zoom animation
    centre = sample_map.js("kgNetwork.getViewPosition()")
    position = sample_map.js("i => kgNetwork.getPosition(i)", nike)
    assert abs(centre["x"] - position["x"]) < 1 and abs(centre["y"] - position["y"]) < 1
    page.locator("#kg-search").fill("阿里")  # aliases are searched too
    page.locator("#kg-search").press("Enter")
    assert sample_map.panel_text().startswith("Alibaba Group")
    assert "Also known as\nAlibaba · 阿里巴巴" in sample_map.panel_text()
    page.locator("#kg-search").fill("nobody at all")
    page.locator("#kg-search").press("Enter")
    assert "No visible entity matches." in page.locator("#kg-suggestions").inner_text()


def test_filter_controls_hide_relations_and_low_confidence(sample_map: MapPage):
    page = sample_map.page
    page.locator('input.kg-relation[value="listedOn"]').uncheck()
    assert page.locator("#kg-visible").inner_text() == (
        "Showing 5 of 5 entities, 4 of 5 relations.")
    page.locator("#kg-confidence").fill("0.9")
    # Only "operates" is left: Nike, SAMR and Jack Ma lose every relation and go.
    assert page.locator("#kg-visible").inner_text() == (
        "Showing 2 of 5 entities, 1 of 5 relations.")
    assert page.locator("#kg-confidence-value").inner_text() == "0.90"
    hidden = sample_map.js("kgNetwork.body.data.nodes.get({filter: n => n.hidden})"
                           ".map(n => kg.data.nodes[n.id].label).sort()")
    assert hidden == ["Jack Ma", "Nike", "SAMR"]
    page.locator('input.kg-type[value="Marketplace"]').uncheck()
    assert page.locator("#kg-visible").inner_text() == (
        "Showing 0 of 5 entities, 0 of 5 relations.")
    assert sample_map.errors == []


def test_xss_payloads_stay_inert_text(browser: Any, tmp_path: pathlib.Path):
    loaded = open_map(browser, xss_graph(), tmp_path / "xss.html")
    page = loaded.page
    evil = loaded.node_index(f"Evil {XSS_SCRIPT}{XSS_IMG}")
    assert evil >= 0
    # Render every piece of article text into the DOM: via a click, search and the API.
    loaded.click_canvas_at(loaded.node_point(evil))
    node_panel = loaded.panel_text()
    page.locator("#kg-search").fill("<img")
    suggestion = page.locator("#kg-suggestions").inner_text()
    loaded.js("kg.selectEdge(0)")
    edge_panel = loaded.panel_text()
    page.wait_for_timeout(300)  # give any injected handler a chance to fire

    assert loaded.dialogs == []
    assert loaded.errors == []
    assert loaded.requests == [loaded.url]
    assert page.locator("img").count() == 0
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("#kg-panel script, #kg-suggestions script, header script").count() == 0
    assert page.locator('a[href^="javascript"]').count() == 0
    # ...and the markup is visible, as text.
    assert f"Evil {XSS_SCRIPT}{XSS_IMG}" in node_panel
    assert XSS_IMG in suggestion
    assert page.locator("#kg-title").inner_text() == f"XSS {XSS_SCRIPT}"
    assert f"Sentence {XSS_IMG} and {XSS_SCRIPT}." in edge_panel
    assert f"Title {XSS_SCRIPT}{XSS_IMG}" in edge_panel
    assert f"URL (not a web link): {XSS_URL}" in edge_panel
    bad_title = page.locator("#kg-panel .evidence span", has_text="Title")
    assert bad_title.count() == 1  # javascript: URL -> plain text, not a link
    good = page.locator("#kg-panel a", has_text="Safe link")
    assert good.get_attribute("href") == "https://news.example/x2"
    assert good.inner_text() == f"Safe link {XSS_IMG}"
    page.close()


def test_large_map_is_static_and_interactive_at_once(browser: Any, tmp_path: pathlib.Path):
    n = LARGE_GRAPH + 500
    loaded = open_map(browser, synthetic_graph(n), tmp_path / "large.html")
    assert loaded.errors == []
    assert loaded.requests == [loaded.url]
    assert loaded.js("kgNetwork.body.data.nodes.length") == n
    assert loaded.js("kgNetwork.physics.options.enabled") is False
    assert loaded.js("kgNetwork.body.data.edges.get(0).label") is None  # no canvas labels
    assert loaded.js("kg.data.nodes[7].x") == loaded.js("kgNetwork.getPosition(7).x")
    target = loaded.node_index("Entity 7")
    loaded.click_canvas_at(loaded.node_point(target))
    assert loaded.js("kgNetwork.getSelectedNodes()") == [target]
    assert loaded.panel_text().startswith("Entity 7")
    loaded.page.close()


def test_empty_map_renders(browser: Any, tmp_path: pathlib.Path):
    loaded = open_map(browser, sample_graph(), tmp_path / "empty.html", min_confidence=1.0)
    assert loaded.errors == []
    assert loaded.page.locator("#kg-empty").is_visible()
    assert "0 entities · 0 relations" in loaded.page.locator("header").inner_text()
    loaded.page.close()
