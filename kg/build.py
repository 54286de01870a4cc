"""The whole path as plain functions: files -> triples -> RDF graph file.

The command line (:mod:`kg.cli`) is a thin layer over these.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.articles import read_articles
from kg.records import ASSERTED, RELATIONS, Article, BuildReport, Skipped, Triple


@dataclass(frozen=True)
class Extraction:
    """Articles read, inputs skipped, and the triples found."""

    articles: tuple[Article, ...]
    skipped: tuple[Skipped, ...]
    triples: tuple[Triple, ...]


def extract_paths(paths: Iterable[str | Path], *, model: str | None = None,
                  statuses: frozenset[str] = frozenset({ASSERTED}),
                  progress: Callable[[Iterator], Iterator] | None = None) -> Extraction:
    """Read every article under ``paths`` and extract its triples.

    An article the pipeline cannot handle is skipped with its reason; the rest go on.
    """
    from kg.extract import analysed_text, extract
    from kg.nlp import load_pipeline

    articles, skipped = read_articles(paths)
    triples: list[Triple] = []
    kept: list[Article] = []
    if articles:
        nlp, gazetteer = load_pipeline(model)
        docs = nlp.pipe((analysed_text(a) for a in articles), batch_size=16)
        pairs: Iterator = zip(articles, docs)
        if progress is not None:
            pairs = progress(pairs)
        for article, doc in pairs:
            try:
                found = list(extract(doc, article, gazetteer, statuses=statuses))
            except Exception as err:  # one bad article never stops a build
                skipped.append(Skipped(article.source or article.id,
                                       f"extraction failed: {type(err).__name__}: {err}"))
                continue
            kept.append(article)
            triples.extend(found)
    return Extraction(tuple(kept), tuple(skipped), tuple(triples))


def triple_json(t: Triple) -> dict:
    """One line of ``kg extract --format jsonl`` (the scorer reads doc/subject/relation/object).

    Names are as the article writes them (its fullest mention); canonical names,
    types and provenance follow.
    """
    row = {
        "doc": t.article_id, "subject": t.subject_text or t.subject.name, "relation": t.relation,
        "object": t.object_text or t.object.name,
        "subject_canonical": t.subject.name, "object_canonical": t.object.name,
        "subject_type": t.subject.type, "object_type": t.object.type,
        "confidence": round(t.confidence, 3), "status": t.status, "rule": t.rule,
        "sentence": t.sentence, "start": t.start, "end": t.end,
    }
    attrs = {k: (str(v) if v is not None else None) for k, v in vars(t.attributes).items()}
    attrs = {k: v for k, v in attrs.items() if v is not None}
    if attrs:
        row["attributes"] = attrs
    return row


def write_jsonl(triples: Iterable[Triple], stream) -> int:
    n = 0
    for t in triples:
        stream.write(json.dumps(triple_json(t), ensure_ascii=False) + "\n")
        n += 1
    return n


def build_graph(paths: Iterable[str | Path], output: str | Path, *, model: str | None = None,
                include_statuses: frozenset[str] = frozenset({ASSERTED}),
                progress: Callable[[Iterator], Iterator] | None = None) -> BuildReport:
    """Build the knowledge graph from articles and write it to ``output``.

    The format follows the extension (.trig, .ttl, .nt, .nq, .jsonld). Facts of
    every status are kept as provenance records; only ``include_statuses`` become
    plain graph triples.
    """
    from kg.errors import InputError
    from kg.rdf import format_of, save, to_dataset
    from kg.records import STATUSES

    format_of(output)  # a wrong extension fails before the work, not after
    paths = list(paths)
    result = extract_paths(paths, model=model, statuses=frozenset(STATUSES), progress=progress)
    if not result.articles:
        reasons = "; ".join(f"{s.source}: {s.reason}" for s in result.skipped[:5]) or "no input files"
        raise InputError(f"no article could be read from {', '.join(map(str, paths))} ({reasons}); "
                         "check the paths — nothing was written")
    dataset = to_dataset(result.articles, result.triples, include_statuses=include_statuses)
    save(dataset, output)
    counted = [t for t in result.triples if t.status in include_statuses]
    facts = Counter(t.relation for t in {t.key: t for t in counted}.values())
    # every entity the graph describes, as `kg stats` counts them (facts of any status)
    entities = {t.subject.name for t in result.triples} | {t.object.name for t in result.triples}
    return BuildReport(articles=len(result.articles), skipped=result.skipped,
                       facts={r: facts.get(r, 0) for r in RELATIONS}, entities=len(entities),
                       files=(str(output),))
