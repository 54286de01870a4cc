"""``kg.build``: ``extract_paths`` and ``build_graph`` as plain functions.

The real pinned spaCy model and the real gazetteers are used (the model loads once per
process); ``KG_MODEL`` / ``KG_GAZETTEERS`` are unset so the caller's environment does not
change what is tested. Nothing here reaches the network.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Literal

from kg.build import build_graph, extract_paths
from kg.errors import GraphError
from kg.extract import analysed_text
from kg.namespace import article_iri, entity_iri, relation_iri
from kg.rdf import load
from kg.records import ASSERTED, HEDGED, NEGATED, RELATIONS, STATUSES

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.usefixtures("clean_env")]

REPO = Path(__file__).resolve().parent.parent
ARTICLES = REPO / "data" / "articles"
ALL = frozenset(STATUSES)
FEW = ("jumia-nyse-debut.txt", "walmart-flipkart-acquisition.txt")

#: One article with an asserted, a hedged and a negated fact (checked below).
MIXED = ("Deals roundup\n\n"
         "Alibaba Group signed a memorandum of understanding with Rwanda on Wednesday. "
         "JD.com may sign a memorandum of understanding with Lazada next year. "
         "Amazon did not invest in Flipkart.\n")


@pytest.fixture(scope="module")
def sample():
    """The sample corpus, every status."""
    return extract_paths([ARTICLES], statuses=ALL)


@pytest.fixture(scope="module")
def mixed_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mixed")
    (folder / "mixed.txt").write_text(MIXED, encoding="utf-8")
    (folder / "jumia-nyse-debut.txt").write_bytes((ARTICLES / "jumia-nyse-debut.txt").read_bytes())
    return folder


def facts(dataset) -> set[tuple[str, str, str]]:
    """The plain ``s p o`` triples of the five relations, as IRIs."""
    rels = {relation_iri(r) for r in RELATIONS}
    return {(str(s), str(p), str(o)) for s, p, o in dataset.triples((None, None, None))
            if p in rels}


def record_statuses(dataset) -> list[tuple[str, str, str, str]]:
    q = """SELECT ?s ?p ?o ?status WHERE {
             ?r a ecom:FactRecord ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                ecom:status ?status }"""
    from kg.namespace import PREFIXES

    return sorted((str(s), str(p), str(o), str(st))
                  for s, p, o, st in dataset.query(q, initNs=dict(PREFIXES)))


def fact(s: str, rel: str, o: str) -> tuple[str, str, str]:
    return str(entity_iri(s)), str(relation_iri(rel)), str(entity_iri(o))


# ------------------------------------------------------------------ determinism


@pytest.fixture(scope="module")
def sample_builds(tmp_path_factory):
    """The sample corpus built once to .trig and once to .nt: {suffix: (report, path)}."""
    folder = tmp_path_factory.mktemp("sample")
    return {suffix: (build_graph([ARTICLES], folder / f"graph{suffix}"), folder / f"graph{suffix}")
            for suffix in (".trig", ".nt")}


@pytest.mark.parametrize("suffix", [".nt", ".trig"])
def test_building_twice_gives_identical_bytes(sample_builds, tmp_path, suffix):
    first, first_path = sample_builds[suffix]
    second = build_graph([ARTICLES], tmp_path / f"again{suffix}")
    a, b = first_path.read_bytes(), (tmp_path / f"again{suffix}").read_bytes()
    assert len(a) > 10_000
    assert a == b
    assert (first.articles, first.skipped, first.facts, first.entities) == (
        second.articles, second.skipped, second.facts, second.entities)


def test_path_order_does_not_change_the_graph(tmp_path):
    files = [ARTICLES / name for name in ("luxury-and-latam-briefs.jsonl", "jumia-nyse-debut.txt",
                                          "southeast-asia-briefs.json",
                                          "amazon-project-zero-counterfeits.md")]
    build_graph(files, tmp_path / "a.trig")
    build_graph(list(reversed(files)), tmp_path / "b.trig")
    # articles are keyed by id: the input order may differ, the graph may not
    assert (tmp_path / "a.trig").read_bytes() == (tmp_path / "b.trig").read_bytes()


def test_another_process_with_another_hash_seed_agrees(sample_builds, tmp_path):
    """Set iteration order differs between processes; the bytes must not."""
    out = tmp_path / "other.trig"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env["PYTHONHASHSEED"] = "4242" if os.environ.get("PYTHONHASHSEED") != "4242" else "7"
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(ARTICLES), "-o", str(out)],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == sample_builds[".trig"][1].read_bytes()


# ------------------------------------------------------------------ failures


def test_an_article_whose_extraction_raises_is_skipped(monkeypatch, tmp_path):
    import kg.extract

    real = kg.extract.extract

    def flaky(doc, article, gazetteer, **kwargs):
        if article.id == "jumia-nyse-debut":
            raise RuntimeError("boom")
        return real(doc, article, gazetteer, **kwargs)

    monkeypatch.setattr(kg.extract, "extract", flaky)
    out = tmp_path / "g.trig"
    report = build_graph([ARTICLES / name for name in FEW + ("southeast-asia-briefs.json",)], out)

    assert report.articles == 3  # walmart-flipkart and the two briefs; jumia is skipped
    assert len(report.skipped) == 1
    skipped = report.skipped[0]
    assert skipped.source.endswith("jumia-nyse-debut.txt")
    assert skipped.reason == "extraction failed: RuntimeError: boom"
    ds = load(out)
    graphs = {str(g.identifier) for g in ds.graphs()}
    assert str(article_iri("jumia-nyse-debut")) not in graphs
    assert str(article_iri("walmart-flipkart-acquisition")) in graphs
    assert fact("Walmart", "investedIn", "Flipkart") in facts(ds)
    assert fact("Rocket Internet", "investedIn", "Jumia") not in facts(ds)
    assert sum(report.facts.values()) > 5


def test_extract_paths_reports_the_failure_and_keeps_the_rest(monkeypatch):
    import kg.extract

    real = kg.extract.extract

    def flaky(doc, article, gazetteer, **kwargs):
        if article.id == "alibaba-italy-ministry-mou":
            raise ValueError("bad parse")
        return real(doc, article, gazetteer, **kwargs)

    monkeypatch.setattr(kg.extract, "extract", flaky)
    result = extract_paths([ARTICLES / name for name in FEW + ("alibaba-italy-ministry-mou.txt",)])
    ids = [a.id for a in result.articles]
    assert ids == ["jumia-nyse-debut", "walmart-flipkart-acquisition"]
    assert {t.article_id for t in result.triples} <= set(ids)
    assert [s.reason for s in result.skipped] == ["extraction failed: ValueError: bad parse"]


def test_a_generator_that_fails_midway_keeps_no_partial_facts(monkeypatch, mixed_dir):
    """Facts yielded before the error are dropped with their article, not half-kept."""
    import kg.extract

    real = kg.extract.extract

    def partial(doc, article, gazetteer, **kwargs):
        found = list(real(doc, article, gazetteer, **kwargs))
        if article.id == "mixed":
            assert found
            yield found[0]
            raise KeyError("midway")
        yield from found

    monkeypatch.setattr(kg.extract, "extract", partial)
    result = extract_paths([mixed_dir], statuses=ALL)
    assert [a.id for a in result.articles] == ["jumia-nyse-debut"]
    assert result.triples and {t.article_id for t in result.triples} == {"jumia-nyse-debut"}
    assert len(result.skipped) == 1 and "KeyError" in result.skipped[0].reason


def test_unreadable_inputs_are_skipped_before_extraction(tmp_path):
    (tmp_path / "broken.json").write_text("[{", encoding="utf-8")
    (tmp_path / "ok.txt").write_text(MIXED, encoding="utf-8")
    report = build_graph([tmp_path, tmp_path / "missing.txt"], tmp_path / "out" / "g.nt")
    assert report.articles == 1
    reasons = sorted(s.reason.split(":")[0] for s in report.skipped)
    assert reasons == ["malformed JSON", "no such file or folder"]


def test_unknown_status_is_an_error(tmp_path):
    with pytest.raises(GraphError):
        build_graph([ARTICLES / "jumia-nyse-debut.txt"], tmp_path / "g.trig",
                    include_statuses=frozenset({"rumoured"}))


def test_progress_sees_every_article(mixed_dir, tmp_path):
    seen = []

    def progress(pairs):
        for pair in pairs:
            seen.append(pair[0].id)
            yield pair

    report = build_graph([mixed_dir], tmp_path / "g.trig", progress=progress)
    assert seen == ["jumia-nyse-debut", "mixed"]
    assert report.articles == 2


# ------------------------------------------------------------------ statuses


def test_mixed_article_has_one_fact_of_each_status(mixed_dir):
    result = extract_paths([mixed_dir / "mixed.txt"], statuses=ALL)
    got = {(t.subject.name, t.relation, t.object.name, t.status) for t in result.triples}
    assert got == {("Alibaba Group", "signedMOU", "Rwanda", ASSERTED),
                   ("JD.com", "signedMOU", "Lazada", HEDGED),
                   ("Amazon", "investedIn", "Flipkart", NEGATED)}


def test_statuses_filter_extract_paths(mixed_dir):
    asserted = extract_paths([mixed_dir], statuses=frozenset({ASSERTED}))
    everything = extract_paths([mixed_dir], statuses=ALL)
    assert {t.status for t in asserted.triples} == {ASSERTED}
    assert {t.status for t in everything.triples} == {ASSERTED, HEDGED, NEGATED}
    assert set(asserted.triples) < set(everything.triples)


def test_include_statuses_changes_plain_triples_not_records(mixed_dir, tmp_path):
    asserted_only = build_graph([mixed_dir], tmp_path / "a.trig")
    with_hedged = build_graph([mixed_dir], tmp_path / "h.trig",
                              include_statuses=frozenset({ASSERTED, HEDGED}))
    everything = build_graph([mixed_dir], tmp_path / "all.trig", include_statuses=ALL)
    a, h, e = (load(tmp_path / name) for name in ("a.trig", "h.trig", "all.trig"))

    mou, hedged, negated = (fact("Alibaba Group", "signedMOU", "Rwanda"),
                            fact("JD.com", "signedMOU", "Lazada"),
                            fact("Amazon", "investedIn", "Flipkart"))
    assert mou in facts(a) and hedged not in facts(a) and negated not in facts(a)
    assert mou in facts(h) and hedged in facts(h) and negated not in facts(h)
    assert {mou, hedged, negated} <= facts(e)
    assert facts(a) < facts(h) < facts(e)

    # provenance records: the same in all three graphs, every status kept
    records = record_statuses(a)
    assert records == record_statuses(h) == record_statuses(e)
    statuses = {st for *_, st in records}
    assert statuses == {ASSERTED, HEDGED, NEGATED}
    assert (*hedged, HEDGED) in records and (*negated, NEGATED) in records

    # the summary counts only the facts that became plain triples
    assert asserted_only.facts["signedMOU"] + 1 == with_hedged.facts["signedMOU"]
    assert with_hedged.facts["investedIn"] + 1 == everything.facts["investedIn"]


def test_asserted_query_ignores_hedged_records(mixed_dir, tmp_path):
    """The named queries report asserted facts even when hedged ones are graph triples."""
    from kg import queries

    build_graph([mixed_dir], tmp_path / "h.trig", include_statuses=frozenset({ASSERTED, HEDGED}))
    rows = queries.rows(queries.run(load(tmp_path / "h.trig"), "mous-of", {"company": "JD.com"}))
    assert rows == []
    rows = queries.rows(queries.run(load(tmp_path / "h.trig"), "evidence",
                                    {"subject": "JD.com", "relation": "signedMOU",
                                     "object": "Lazada"}))
    assert rows and {r["status"] for r in rows} == {HEDGED}


# ------------------------------------------------------------------ offsets


def _check_offsets(result) -> int:
    by_id = {a.id: a for a in result.articles}
    for t in result.triples:
        text = analysed_text(by_id[t.article_id])
        assert 0 <= t.start < t.end <= len(text), t
        assert text[t.start:t.end].strip() == t.sentence, (t.article_id, t.start, t.sentence)
    return len(result.triples)


def test_offsets_point_at_the_sentence_in_the_sample(sample):
    assert _check_offsets(sample) > 50
    assert {t.status for t in sample.triples} > {ASSERTED}


def test_offsets_in_every_input_format(tmp_path):
    (tmp_path / "a.md").write_text(
        "# Nike opens on Tmall\n\nSome *intro* text.\n\n## Details\n\n"
        "**Nike** opened a flagship store on __Tmall__ last year.\r\n\r\n"
        "Alibaba Group   signed a memorandum of understanding with France.\n", encoding="utf-8")
    (tmp_path / "b.json").write_text(
        '[{"id": "j1", "title": "Walmart buys Flipkart", "text": "  Walmart acquired Flipkart '
        'in 2018.\\n\\nEarlier, Tencent invested in Flipkart."},'
        ' {"id": "j2", "title": "Walmart buys Flipkart", "text": "Walmart buys Flipkart\\n\\n'
        'Walmart acquired Flipkart in 2018."}]', encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(
        '{"id": "l1", "title": "  Padded title  ", "text": "Samsung opened an official store '
        'on Jumia.\\u2028Jumia runs JumiaPay."}\n', encoding="utf-8")
    (tmp_path / "d.txt").write_text("\ufeff\n\n  Headline: JD.com invests\n\nJD.com invested in "
                                    "Farfetch.\tAlibaba Group signed an MOU with Rwanda.\n",
                                    encoding="utf-8")
    (tmp_path / "e.html").write_text(
        "<html><head><title>Burberry on Tmall</title></head><body><nav>Home | News</nav>"
        "<article><h1>Burberry on Tmall</h1><p>Burberry opened a flagship store on Tmall in "
        "2014, making it one of the first British brands on the platform.</p><p>Nestlé and "
        "Philips opened official stores on Lazada last year.</p></article>"
        "<footer>Copyright</footer></body></html>", encoding="utf-8")
    result = extract_paths([tmp_path], statuses=ALL)
    assert not result.skipped
    assert len(result.articles) == 6
    assert {t.article_id for t in result.triples} >= {"a", "j1", "j2", "l1", "d", "e"}
    _check_offsets(result)


def test_offsets_in_the_graph_match_the_text(sample, tmp_path):
    """What build_graph writes (to_dataset + save of the extraction), read back."""
    from kg.namespace import ECOM
    from kg.rdf import save, to_dataset

    save(to_dataset(sample.articles, sample.triples, include_statuses=ALL), tmp_path / "g.trig")
    ds = load(tmp_path / "g.trig")
    by_iri = {str(article_iri(a.id)): a for a in sample.articles}
    records = list(ds.subjects(predicate=None, object=ECOM.FactRecord))
    assert len(records) > 50
    from rdflib import PROV

    for r in records:
        article = by_iri[str(ds.value(r, PROV.wasDerivedFrom))]
        start, end = int(ds.value(r, ECOM.startOffset)), int(ds.value(r, ECOM.endOffset))
        sentence = ds.value(r, ECOM.sentence)
        assert isinstance(sentence, Literal)
        assert analysed_text(article)[start:end].strip() == str(sentence)


def test_markdown_headline_with_markup_is_analysed_once(tmp_path):
    (tmp_path / "a.md").write_text("# Nike **opens** on Tmall\n\nNike opened a flagship store "
                                   "on Tmall.\n", encoding="utf-8")
    result = extract_paths([tmp_path])
    (article,) = result.articles
    assert article.title == "Nike opens on Tmall"
    assert analysed_text(article).count("opens") == 1
