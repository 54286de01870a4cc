"""The notebooks in ``notebooks/`` run from top to bottom and show what they promise.

Each notebook is executed with nbclient in a kernel that is this interpreter
(``sys.executable``, i.e. the venv's Python): a kernelspec is installed under a
unique name in a temporary Jupyter path, so a ``python3`` kernel of some other
Python on the machine can never be picked up. The kernel runs in ``notebooks/``,
as Jupyter would, and writes its graph and map files to a temporary folder
(``KG_NOTEBOOK_OUT``), not to ``out/``.

The checks are facts the sample articles state plainly (e.g. "Alibaba Group signed a
memorandum of understanding with Italy's Ministry of Economic Development"), found in
the outputs of cells tagged in the notebooks (``mous``, ``ranking``, ``map``, ``plot``, …).
"""
from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import install as install_kernelspec
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ("explore", "deals")
KERNEL = "kg-notebook-test"
CELL_TIMEOUT = 600  # seconds


# ------------------------------------------------------------------ running


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """``executed(name)``: the notebook ``notebooks/<name>.ipynb`` after running it (once)."""
    jupyter_dir = tmp_path_factory.mktemp("jupyter")
    out_dir = tmp_path_factory.mktemp("notebook-out")
    cache: dict[str, nbformat.NotebookNode] = {}
    with pytest.MonkeyPatch.context() as mp:
        install_kernelspec(kernel_name=KERNEL, display_name="kg tests", prefix=str(jupyter_dir))
        mp.setenv("JUPYTER_PATH", str(jupyter_dir / "share" / "jupyter"))
        mp.setenv("KG_NOTEBOOK_OUT", str(out_dir))
        mp.delenv("MPLBACKEND", raising=False)
        spec = KernelSpecManager().get_kernel_spec(KERNEL)
        assert spec.argv[0] == sys.executable, spec.argv

        def run(name: str) -> nbformat.NotebookNode:
            if name not in cache:
                nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
                # Prove which interpreter ran the cells.
                probe = nbformat.v4.new_code_cell("import sys; print(sys.executable)", id="probe")
                probe.metadata["tags"] = ["probe"]
                nb.cells.append(probe)
                NotebookClient(nb, kernel_name=KERNEL, timeout=CELL_TIMEOUT,
                               resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
                cache[name] = nb
            return cache[name]

        yield run


def tagged(nb, tag: str):
    cells = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"want one cell tagged {tag!r}, found {len(cells)}"
    return cells[0]


def text_of(cell) -> str:
    """Everything a cell printed or displayed, as text (stream, text/plain, text/html)."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        for mime in ("text/plain", "text/html"):
            value = out.get("data", {}).get(mime)
            if value:
                parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


def map_page(cell) -> str:
    """The HTML page shown inline by a cell: the ``srcdoc`` of its iframe, unescaped."""
    shown = [out.data["text/html"] for out in cell.outputs if "text/html" in out.get("data", {})]
    assert len(shown) == 1, f"want one HTML display, found {len(shown)}"
    match = re.search(r'<iframe srcdoc="([^"]*)"', shown[0])
    assert match, "no <iframe srcdoc=...> in the displayed HTML"
    page = html.unescape(match.group(1))
    # A quote left unescaped would cut the attribute short: the whole page must be there.
    assert page.lstrip().lower().startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    return page


def table_rows(cell) -> int:
    """Rows in the body of the DataFrame a cell displays (its text/html)."""
    shown = [out.data["text/html"] for out in cell.outputs if "text/html" in out.get("data", {})]
    assert shown, "the cell displays no table"
    body = shown[-1].split("<tbody>", 1)[-1]
    return body.count("<tr")


# ------------------------------------------------------------------ both notebooks


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_is_valid_and_stripped(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: cell {cell.id} has stored outputs"
            assert cell.execution_count is None, f"{name}: cell {cell.id} has an execution count"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_cleanly_in_this_interpreter(executed, name):
    nb = executed(name)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{name}: cell {cell.id}: {out.ename}: {out.evalue}"
            if out.output_type == "stream":
                assert out.name != "stderr", f"{name}: cell {cell.id} wrote to stderr:\n{out.text}"
    assert Path(text_of(tagged(nb, "probe")).strip()) == Path(sys.executable)
    # The kernel ran in notebooks/ and found the sample articles from there.
    assert "articles: ../data/articles" in text_of(tagged(nb, "setup"))


# ------------------------------------------------------------------ explore


def test_explore_builds_every_sample_article(executed):
    text = text_of(tagged(executed("explore"), "build"))
    articles = re.search(r"(\d+) articles read, (\d+) skipped", text)
    assert articles, text
    assert int(articles.group(1)) >= 12 and articles.group(2) == "0"
    for relation in ("signedMOU", "listedOn", "investedIn", "fightsCounterfeitWith", "operates"):
        assert relation in text


def test_explore_lists_alibabas_mous(executed):
    text = text_of(tagged(executed("explore"), "mous"))
    # "Alibaba Group signed a memorandum of understanding with Italy's Ministry of
    # Economic Development" / "... with Rwanda on Wednesday"
    assert "Ministry of Economic Development (Italy)" in text
    assert "Rwanda" in text
    assert "Alibaba signs MOU with Italy" in text  # the source headline travels with the row


def test_explore_inline_query_gives_listings_with_sources(executed):
    cell = tagged(executed("explore"), "listed")
    text = text_of(cell)
    # "Italian brands with flagship stores on Tmall include Lavazza, Ferrero and Barilla."
    assert "Lavazza" in text and "Ferrero" in text and "Tmall" in text
    assert "flagship stores on Tmall" in text
    assert table_rows(cell) >= 10


def test_explore_ranks_entities(executed):
    cell = tagged(executed("explore"), "ranking")
    assert table_rows(cell) == 10
    text = text_of(cell)
    assert "partners" in text and "betweenness" in text
    assert "Alibaba Group" in text  # five of the articles are about its deals


def test_explore_shows_the_map_inline(executed):
    page = map_page(tagged(executed("explore"), "map"))
    assert '<h1 id="kg-title">kg tour: the sample articles</h1>' in page
    assert "vis-network" in page  # the library is inlined ...
    assert "<script src=" not in page  # ... not fetched
    assert '"label":"Alibaba Group"' in page


# ------------------------------------------------------------------ deals


def test_deals_answers_who_sells_on_tmall(executed):
    nb = executed("deals")
    pivot = text_of(tagged(nb, "pivot"))
    for name in ("Tmall", "JD.com", "Lavazza", "Ferrero", "Burberry"):
        assert name in pivot
    answer = text_of(tagged(nb, "answer"))
    tmall = next((line for line in answer.splitlines() if line.startswith("Tmall (")), "")
    # "Italian brands with flagship stores on Tmall include Lavazza, Ferrero and Barilla."
    # "Burberry opened a flagship store on Alibaba-owned Tmall ..."
    assert "Alibaba Group" in tmall
    for brand in ("Lavazza", "Ferrero", "Burberry"):
        assert brand in tmall, answer


def test_deals_plots_brands_per_platform(executed):
    cell = tagged(executed("deals"), "plot")
    assert any("image/png" in out.get("data", {}) for out in cell.outputs), "no PNG output"


def test_deals_lists_investments_with_amounts(executed):
    nb = executed("deals")
    investments = text_of(tagged(nb, "investments"))
    # "Walmart bought a 77% stake in Flipkart for about $16 billion"
    assert "16000000000" in investments and "USD" in investments
    summary = text_of(tagged(nb, "who-in-whom"))
    assert "USD 16.00 bn" in summary
    answer = text_of(tagged(nb, "answer"))
    # "Tencent took a 15% stake in JD.com" / "Walmart took a 5% stake in JD.com"
    assert "Tencent invested in JD.com (15% stake)" in answer
    assert "Walmart invested in JD.com (5% stake)" in answer


def test_deals_finds_paths_between_walmart_and_tencent(executed):
    text = text_of(tagged(executed("deals"), "paths"))
    assert "Walmart investedIn JD.com  |  Tencent investedIn JD.com" in text


def test_deals_map_is_focused_on_tmall(executed):
    page = map_page(tagged(executed("deals"), "map"))
    assert '<h1 id="kg-title">Tmall and its neighbours</h1>' in page
    assert "within 1 hop(s) of Tmall" in page
    data = json.loads(re.search(r'<script[^>]*type="application/json"[^>]*>(.*?)</script>',
                                page, re.S).group(1))
    labels = {node["label"] for node in data["nodes"]}
    assert {"Tmall", "Alibaba Group", "Burberry", "Lavazza"} <= labels
    assert "Mercado Libre" not in labels and "Jumia" not in labels
