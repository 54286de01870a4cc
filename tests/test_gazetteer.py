"""kg.gazetteer: name normalisation, the gazetteer index, its EntityRuler patterns, and
the gazetteer data files themselves (the tiny test one and the real ``data/gazetteers``).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.gazetteer import DEFAULT_DIR, Gazetteer, GazetteerEntry, normalise
from kg.records import ENTITY_TYPES, Entity

from conftest import TEST_GAZETTEER

ALIBABA = {"name": "Alibaba Group", "type": "Company", "aliases": ["Alibaba", "Alibaba Group Holding"],
           "qid": "Q1359568"}
TMALL = {"name": "Tmall", "type": "Marketplace", "operated_by": "Alibaba Group", "qid": "Q2070405"}
COACH = {"name": "Coach", "type": "Brand", "ambiguous": True}
LOREAL = {"name": "L'Oréal", "type": "Brand", "aliases": ["L'Oreal"]}
JD = {"name": "JD.com", "type": "Company", "aliases": ["JD"]}


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.from_records([ALIBABA, TMALL, COACH, LOREAL, JD])


def write_jsonl(folder: Path, name: str, lines: list) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
                    encoding="utf-8")
    return path


# ------------------------------------------------------------------ normalise

@pytest.mark.parametrize("variant, plain", [
    ("L’Oréal", "L'Oreal"),                   # curly apostrophe, accent
    ("Hermès", "HERMES"),                      # accent, case
    ("Macy’s", "Macy"),                        # possessive, curly
    ("Alibaba's", "Alibaba"),                  # possessive, straight
    ("Alibaba Group", "Alibaba"),
    ("Alibaba Group Holding Ltd.", "Alibaba"),
    ("Alibaba Group Holding Limited", "alibaba"),
    ("Gucci S.p.A.", "Gucci"),
    ("Prada SpA", "Prada"),
    ("The Kering Group", "Kering"),
    ("JD.com, Inc.", "JD.com"),
    ("Coupang Corp.", "Coupang"),
    ("Swatch Group AG", "Swatch"),
    ("Carrefour S.A.", "Carrefour"),           # RELATIONS.md lists S.A. among the suffixes
    ("Carrefour SA", "Carrefour"),
])
def test_normalise_makes_variants_equal(variant, plain):
    assert normalise(variant) == normalise(plain)
    assert normalise(variant)  # never empty for a real name


@pytest.mark.parametrize("a, b", [
    ("Tmall", "Tmall Global"),
    ("Alibaba", "Alibaba Cloud"),
    ("JD.com", "JD"),
    ("Louis Vuitton", "Louis Vuitton Moet Hennessy"),
])
def test_normalise_keeps_names_that_differ_apart(a, b):
    assert normalise(a) != normalise(b)


def test_normalise_keeps_a_name_that_is_only_a_suffix_word():
    assert normalise("Group") == "group"
    assert normalise("The Company") == "company"


def test_normalise_keeps_non_latin_names():
    # News and gazetteers write Chinese, Japanese, Korean or Cyrillic names ("阿里巴巴"
    # for Alibaba Group): each needs a key of its own, not "".
    names = ["阿里巴巴", "天猫", "京东", "楽天市場", "마켓컬리", "Вайлдберриз"]
    keys = [normalise(n) for n in names]
    assert all(keys), dict(zip(names, keys))
    assert len(set(keys)) == len(names)


# ---------------------------------------------------------------------- index

@pytest.mark.parametrize("surface, name", [
    ("Alibaba", "Alibaba Group"),
    ("alibaba group holding ltd.", "Alibaba Group"),
    ("Alibaba’s", "Alibaba Group"),
    ("TMALL", "Tmall"),
    ("L’Oreal", "L'Oréal"),
    ("JD.com Inc", "JD.com"),
    ("JD", "JD.com"),
])
def test_lookup_by_any_surface_form(gaz, surface, name):
    assert gaz.lookup(surface).name == name


@pytest.mark.parametrize("surface", ["Taobao", "Alibaba Cloud", "", "!!!", "Tmall Global"])
def test_lookup_of_an_unknown_name_is_none(gaz, surface):
    assert gaz.lookup(surface) is None


def test_lookup_of_non_latin_aliases():
    gaz = Gazetteer.from_records([
        {"name": "Alibaba Group", "type": "Company", "aliases": ["阿里巴巴"]},
        {"name": "Tmall", "type": "Marketplace", "aliases": ["天猫"]}])
    assert gaz.lookup("天猫").name == "Tmall"
    assert gaz.lookup("阿里巴巴").name == "Alibaba Group"
    assert gaz.lookup("京东") is None


def test_entry_entity_carries_type_qid_and_aliases(gaz):
    assert gaz.lookup("Alibaba").entity == Entity("Alibaba Group", "Company", "Q1359568",
                                                   ("Alibaba", "Alibaba Group Holding"))
    assert gaz.lookup("Coach").entity == Entity("Coach", "Brand", None, ())


def test_operator_of(gaz):
    assert gaz.operator_of("Tmall") == "Alibaba Group"
    assert gaz.operator_of("Alibaba Group") is None  # a company, not a platform
    assert gaz.operator_of("Taobao") is None          # unknown


def test_get_by_canonical_name_when_two_entries_normalise_alike():
    # "Lazada Group" normalises to "lazada", like the marketplace "Lazada": get() takes a
    # canonical name and must return the entry with exactly that name.
    gaz = Gazetteer.from_records([
        {"name": "Lazada Group", "type": "Company"},
        {"name": "Lazada", "type": "Marketplace", "operated_by": "Lazada Group"}])
    assert gaz.get("Lazada Group").name == "Lazada Group"
    assert gaz.get("Lazada").name == "Lazada"
    assert gaz.operator_of("Lazada") == "Lazada Group"


def test_surface_forms_include_both_apostrophes():
    entry = GazetteerEntry("L'Oréal", "Brand", aliases=("L'Oreal",))
    assert list(entry.surface_forms()) == ["L'Oréal", "L\u2019Oréal", "L'Oreal", "L\u2019Oreal"]


def test_blank_optional_fields_are_absent():
    gaz = Gazetteer.from_records([{"name": "Zalora", "type": "Marketplace", "aliases": None,
                                   "qid": "", "operated_by": "", "parent": None}])
    entry = gaz.lookup("Zalora")
    assert (entry.aliases, entry.qid, entry.operated_by, entry.parent, entry.ambiguous) == \
        ((), None, None, None, False)


# ------------------------------------------------------------- ruler patterns

@pytest.fixture(scope="module")
def patterns(gaz):
    """Phrase patterns of both rulers, tagged with the attribute each ruler matches on."""
    return ([dict(p, attr="LOWER") for p in gaz.ruler_patterns(exact=False)]
            + [dict(p, attr="ORTH") for p in gaz.ruler_patterns(exact=True)])


def patterns_for(patterns, name):
    return [(p["attr"], p["pattern"]) for p in patterns if p["id"] == name]


def test_every_surface_form_has_a_pattern_labelled_with_the_type(gaz, patterns):
    for entry in gaz.entries:
        assert len(patterns_for(patterns, entry.name)) == len(list(entry.surface_forms()))
        assert {p["label"] for p in patterns if p["id"] == entry.name} == {entry.type}


def test_unambiguous_names_match_in_any_case(patterns):
    assert ("LOWER", "Tmall") in patterns_for(patterns, "Tmall")
    assert ("LOWER", "Alibaba Group Holding") in patterns_for(patterns, "Alibaba Group")


def test_ambiguous_names_match_exact_case_only(patterns):
    assert patterns_for(patterns, "Coach") == [("ORTH", "Coach")]


def test_short_names_match_exact_case_only(patterns):
    # "JD" in lower case would be too easy to hit by accident.
    assert ("ORTH", "JD") in patterns_for(patterns, "JD.com")
    assert ("LOWER", "JD.com") in patterns_for(patterns, "JD.com")


def test_rulers_tag_names_in_any_case_and_ambiguous_ones_only_as_spelt(nlp):
    doc = nlp("Shoppers on TMALL bought a coach bag; Coach opened a store on tmall.")
    tagged = [(e.text, e.label_, e.ent_id_) for e in doc.ents if e.label_ in ("Marketplace", "Brand")]
    assert ("TMALL", "Marketplace", "Tmall") in tagged and ("tmall", "Marketplace", "Tmall") in tagged
    assert ("Coach", "Brand", "Coach") in tagged and ("coach", "Brand", "Coach") not in tagged


# ------------------------------------------------------------------- errors

def test_unknown_type_is_an_input_error_naming_the_allowed_types():
    with pytest.raises(InputError) as err:
        Gazetteer.from_records([{"name": "Zalora", "type": "Marketplaces"}], source="m.jsonl")
    message = str(err.value)
    assert "m.jsonl" in message and "'Zalora'" in message and "'Marketplaces'" in message
    for kind in ENTITY_TYPES:
        assert kind in message


@pytest.mark.parametrize("record, missing", [({"type": "Brand"}, "name"),
                                             ({"name": "Zalora"}, "type")])
def test_missing_key_is_an_input_error(record, missing):
    with pytest.raises(InputError, match=f"'{missing}'"):
        Gazetteer.from_records([record], source="x.jsonl")


@pytest.mark.parametrize("record", [
    {"name": None, "type": "Brand"},
    {"name": ["Gucci"], "type": "Brand"},
    ["Gucci", "Brand"],
], ids=["null-name", "list-name", "not-an-object"])
def test_malformed_record_is_an_input_error(record):
    with pytest.raises(InputError):
        Gazetteer.from_records([record], source="x.jsonl")


def test_aliases_given_as_a_string_are_not_split_into_letters():
    # A common slip in a hand-written line: "aliases": "Alibaba" instead of ["Alibaba"].
    # Either refuse it or take it as one alias; never index "A", "l", "i", ...
    record = {"name": "Alibaba Group", "type": "Company", "aliases": "Alibaba"}
    try:
        gaz = Gazetteer.from_records([record], source="x.jsonl")
    except InputError as err:
        assert "aliases" in str(err)
        return
    assert gaz.lookup("a") is None and gaz.lookup("l") is None
    assert gaz.lookup("Alibaba").name == "Alibaba Group"


# --------------------------------------------------------------------- load

def test_load_reads_every_jsonl_file_and_ignores_blank_lines(tmp_path):
    write_jsonl(tmp_path, "a.jsonl", [ALIBABA, "", TMALL])
    write_jsonl(tmp_path, "b.jsonl", [COACH])
    (tmp_path / "notes.txt").write_text("not a gazetteer", encoding="utf-8")
    gaz = Gazetteer.load(tmp_path)
    assert [e.name for e in gaz.entries] == ["Alibaba Group", "Tmall", "Coach"]


def test_load_follows_kg_gazetteers(tmp_path, monkeypatch):
    write_jsonl(tmp_path, "x.jsonl", [COACH])
    monkeypatch.setenv("KG_GAZETTEERS", str(tmp_path))
    assert [e.name for e in Gazetteer.load().entries] == ["Coach"]
    # An explicit folder wins over the variable.
    assert Gazetteer.load(TEST_GAZETTEER).lookup("Tmall") is not None


def test_missing_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="KG_GAZETTEERS"):
        Gazetteer.load(tmp_path / "nowhere")


def test_malformed_json_line_names_file_and_line(tmp_path):
    write_jsonl(tmp_path, "a.jsonl", [ALIBABA])
    path = write_jsonl(tmp_path, "b.jsonl", [COACH, '{"name": "Prada", "type": "Brand"'])
    with pytest.raises(InputError) as err:
        Gazetteer.load(tmp_path)
    assert f"{path}:2" in str(err.value)


def test_line_missing_a_key_names_file_and_line(tmp_path):
    write_jsonl(tmp_path, "a.jsonl", [ALIBABA, TMALL])
    path = write_jsonl(tmp_path, "b.jsonl", [COACH, {"name": "Prada"}])
    with pytest.raises(InputError) as err:
        Gazetteer.load(tmp_path)
    assert f"{path}:2" in str(err.value)


def test_non_utf8_file_is_an_input_error(tmp_path):
    (tmp_path / "latin1.jsonl").write_bytes(
        json.dumps({"name": "Hermès", "type": "Brand"}, ensure_ascii=False).encode("latin-1"))
    with pytest.raises(InputError, match="latin1.jsonl"):
        Gazetteer.load(tmp_path)


# ------------------------------------------------------------ the data files

ALLOWED_KEYS = {"name", "type", "aliases", "qid", "ambiguous", "operated_by", "parent", "platform"}
GAZETTEER_DIRS = [pytest.param(TEST_GAZETTEER, id="tests-data-gazetteer"),
                  pytest.param(DEFAULT_DIR, id="data-gazetteers")]


def records_of(folder: Path) -> list[tuple[str, dict]]:
    """(file:line, record) for every non-blank line of every *.jsonl file in ``folder``."""
    out = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                out.append((f"{path.name}:{number}", json.loads(line)))
    return out


@pytest.mark.parametrize("folder", GAZETTEER_DIRS)
def test_gazetteer_lines_are_well_formed(folder):
    problems = []
    for where, rec in records_of(folder):
        if not isinstance(rec, dict):
            problems.append(f"{where}: not an object")
            continue
        if not isinstance(rec.get("name"), str) or not rec["name"].strip():
            problems.append(f"{where}: no name")
        if rec.get("type") not in ENTITY_TYPES:
            problems.append(f"{where}: type {rec.get('type')!r}")
        if set(rec) - ALLOWED_KEYS:
            problems.append(f"{where}: unknown keys {sorted(set(rec) - ALLOWED_KEYS)}")
        aliases = rec.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            problems.append(f"{where}: aliases must be a list of names")
        elif isinstance(rec.get("name"), str):
            # Every form needs a matching key, or it can never be looked up.
            problems += [f"{where}: {form!r} normalises to nothing"
                         for form in [rec["name"], *aliases] if not normalise(form)]
        qid = rec.get("qid")
        if qid is not None and not re.fullmatch(r"Q[0-9]+", str(qid)):
            problems.append(f"{where}: qid {qid!r}")
    assert problems == []
    Gazetteer.load(folder)  # and the loader accepts the folder


@pytest.mark.parametrize("folder", GAZETTEER_DIRS)
def test_no_surface_form_names_two_entities(folder):
    owner: dict[str, str] = {}
    clashes = []
    for where, rec in records_of(folder):
        for form in [rec["name"], *(rec.get("aliases") or [])]:
            key = normalise(form)
            if owner.setdefault(key, rec["name"]) != rec["name"]:
                clashes.append(f"{where}: {form!r} ~ {owner[key]!r}")
    assert clashes == []


@pytest.mark.parametrize("folder", GAZETTEER_DIRS)
def test_canonical_names_are_unique(folder):
    names = [rec["name"] for _, rec in records_of(folder)]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


@pytest.mark.parametrize("folder", GAZETTEER_DIRS)
def test_operators_and_parents_are_entries(folder):
    records = records_of(folder)
    names = {rec["name"] for _, rec in records}
    dangling = [f"{where}: {key} {rec[key]!r}" for where, rec in records
                for key in ("operated_by", "parent") if rec.get(key) and rec[key] not in names]
    assert dangling == []


def test_test_gazetteer_is_what_the_tests_expect():
    gaz = Gazetteer.load(TEST_GAZETTEER)
    assert gaz.operator_of("Tmall") == gaz.operator_of("Lazada") == "Alibaba Group"
    assert gaz.lookup("Coach").ambiguous
    assert gaz.lookup("MFA") is None
