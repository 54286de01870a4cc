"""Shared fixtures: the real spaCy pipeline with a tiny test gazetteer, and hand-built Docs.

The pipeline is the pinned model (``kg.nlp.DEFAULT_MODEL``) plus the gazetteer in
``tests/data/gazetteer/`` (a dozen entries, listed there), so the tests never depend
on the big ``data/gazetteers`` files or on ``KG_MODEL`` / ``KG_GAZETTEERS`` in the
caller's environment.

``make_doc`` builds a parsed ``Doc`` from a table, in the style of spaCy's own tests:
a test states the parse it relies on instead of depending on the statistical parser.
"""
from __future__ import annotations

import functools
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
#: The tiny test gazetteer (tests own it; see the files for its entries).
TEST_GAZETTEER = TESTS / "data" / "gazetteer"


@pytest.fixture(scope="session")
def pipeline():
    """``(nlp, gazetteer)`` from ``kg.nlp.load_pipeline``: real model, test gazetteer."""
    from kg.nlp import DEFAULT_MODEL, load_pipeline

    return load_pipeline(DEFAULT_MODEL, str(TEST_GAZETTEER))


@pytest.fixture(scope="session")
def nlp(pipeline):
    """The spaCy ``Language``: the pinned model plus the ``gazetteer_ruler``."""
    return pipeline[0]


@pytest.fixture(scope="session")
def gazetteer(pipeline):
    """The test gazetteer the pipeline was built from."""
    return pipeline[1]


@functools.lru_cache(maxsize=1)
def _english_vocab():
    """A blank English vocab: lexical attributes (``lower_``, ``is_punct``) work, no model."""
    import spacy

    return spacy.blank("en").vocab


def doc_from_table(table: str, vocab=None):
    """A parsed Doc from rows ``word lemma POS TAG dep head [ent]``.

    ``head`` is the absolute index of the head token (a ROOT points at itself);
    ``ent`` is an IOB tag such as ``B-Brand`` (default ``O``).
    """
    from spacy.tokens import Doc

    rows = [line.split() for line in table.strip().splitlines() if line.strip()]
    for row in rows:
        if len(row) not in (6, 7):
            raise ValueError(f"bad row {row!r}: want word lemma POS TAG dep head [ent]")
    return Doc(vocab or _english_vocab(), words=[r[0] for r in rows], lemmas=[r[1] for r in rows],
               pos=[r[2] for r in rows], tags=[r[3] for r in rows], deps=[r[4] for r in rows],
               heads=[int(r[5]) for r in rows],
               ents=[r[6] if len(r) == 7 else "O" for r in rows])


@pytest.fixture
def make_doc():
    """``make_doc(table)``: see :func:`doc_from_table`."""
    return doc_from_table


@pytest.fixture(scope="module")
def clean_env():
    """The project's defaults: no KG_MODEL / KG_GAZETTEERS / KG_ONTOLOGY from the caller."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("KG_MODEL", "KG_GAZETTEERS", "KG_ONTOLOGY"):
            mp.delenv(name, raising=False)
        yield
