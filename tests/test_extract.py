"""The generic rule runner: rules as data, checked when loaded; provenance of each triple."""
import json

import pytest

from kg.confidence import combine, measured_precision, rule_confidence
from kg.errors import InputError
from kg.extract import PATTERNS, analysed_text, extract, lexicons, load_rules
from kg.records import ASSERTED, RELATIONS, STATUSES, Article


def test_every_relation_has_rules_and_rule_ids_are_unique():
    rules = load_rules()
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids))
    assert {r.relation for r in rules} == set(RELATIONS)
    assert all(r.id.startswith(r.relation + ".") for r in rules)


def test_a_rule_with_an_unknown_role_fails_at_load_time(tmp_path):
    data = json.loads((PATTERNS / "relations.json").read_text(encoding="utf-8"))
    data["rules"] = [dict(data["rules"][0], subject=["agnet"])]  # a typo
    path = tmp_path / "relations.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=r"signedMOU\.sign_with.*role 'agnet'"):
        load_rules.__wrapped__(str(path))


def test_a_rule_with_an_unknown_lexicon_fails_at_load_time(tmp_path):
    data = json.loads((PATTERNS / "relations.json").read_text(encoding="utf-8"))
    data["rules"] = [dict(data["rules"][0], context="counterfeits")]
    path = tmp_path / "relations.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match="lexicon 'counterfeits'"):
        load_rules.__wrapped__(str(path))


def test_lexicons_are_lower_case_word_lists():
    for name, words in lexicons().items():
        assert words and all(w == w.lower() for w in words), name


def test_measured_precision_refers_to_existing_rules():
    ids = {r.id for r in load_rules()}
    assert set(measured_precision()) <= ids
    for rule_id, p in measured_precision().items():
        assert 0 < p < 1 and rule_confidence(rule_id, 0.5) == round(p, 3)
    assert rule_confidence("no.such.rule", 0.42) == 0.42


def test_combined_confidence_grows_with_independent_articles_only():
    assert combine([0.7]) == 0.7
    assert combine([0.7, 0.7], ["a", "b"]) == pytest.approx(0.91)
    assert combine([0.7, 0.9], ["a", "a"]) == 0.9  # one article, one vote
    assert combine([]) == 0.0


def test_triples_carry_their_provenance(nlp, gazetteer):
    article = Article("a1", "Lazada said Alibaba Group has invested $1 billion in the company.",
                      title="Alibaba invests in Lazada")
    text = analysed_text(article)
    facts = list(extract(nlp(text), article, gazetteer))
    assert {(t.subject.name, t.relation, t.object.name) for t in facts} == {
        ("Alibaba Group", "investedIn", "Lazada")}
    for t in facts:
        assert t.article_id == "a1" and t.status == ASSERTED and t.rule in {r.id for r in load_rules()}
        assert text[t.start:t.end].strip() == t.sentence
        assert 0 < t.confidence <= 1


def test_statuses_select_what_is_returned(nlp, gazetteer):
    article = Article("a2", "Alibaba Group may invest in Lazada.")
    doc = nlp(article.text)
    assert list(extract(doc, article, gazetteer)) == []
    hedged = list(extract(doc, article, gazetteer, statuses=frozenset(STATUSES)))
    assert {t.status for t in hedged} == {"hedged"}
