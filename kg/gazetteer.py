"""Gazetteers of real entities (``data/gazetteers/*.jsonl``) and their EntityRuler patterns.

Each line of a gazetteer file is one entity::

    {"name": "Alibaba Group", "type": "Company", "aliases": ["Alibaba"], "qid": "Q1359568"}

Optional keys: ``ambiguous`` (a name that is also an ordinary word, matched only
with its exact capitalisation), ``operated_by`` (for marketplaces), ``parent``, and
``platform`` (a company whose name is also its marketplace: "sells on Amazon").

>>> gaz = Gazetteer.from_records([
...     {"name": "Alibaba Group", "type": "Company", "aliases": ["Alibaba"], "qid": "Q1359568"},
...     {"name": "Tmall", "type": "Marketplace", "operated_by": "Alibaba Group"}])
>>> gaz.lookup("alibaba").name
'Alibaba Group'
>>> gaz.operator_of("Tmall")
'Alibaba Group'
"""
from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.records import ENTITY_TYPES, Entity

#: Where ``data/gazetteers`` lives in a checkout; ``KG_GAZETTEERS`` overrides it.
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteers"

_CORPORATE_SUFFIXES = {
    "group", "inc", "incorporated", "ltd", "limited", "co", "corp", "corporation", "company",
    "companies", "holding", "holdings", "plc", "sa", "spa", "ag", "llc", "nv", "bv", "gmbh",
    "se", "lp", "bhd", "sdn", "tbk", "pvt", "private", "pte", "kk", "oy", "ab", "asa",
}


def normalise(name: str) -> str:
    """A matching key for a name: accents, case, quotes, possessives and suffixes removed.

    >>> normalise("L’Oréal Group") == normalise("L'Oreal")
    True
    >>> normalise("Alibaba Group Holding Ltd.")
    'alibaba'
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"\bs\.?\s?p\.?\s?a\.?$", "spa", text)
    text = re.sub(r"\b([a-z])\.\s?([a-z])\.?$", r"\1\2", text)  # "S.A.", "N.V."
    words = re.sub(r"[^0-9a-z]+", " ", text).split()
    if not words:  # a name in another script keeps its own letters
        return re.sub(r"\s+", " ", text).strip()
    if words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in _CORPORATE_SUFFIXES:
        words = words[:-1]
    return " ".join(words)


@dataclass(frozen=True)
class GazetteerEntry:
    """One gazetteer line."""

    name: str
    type: str
    aliases: tuple[str, ...] = ()
    qid: str | None = None
    ambiguous: bool = False
    operated_by: str | None = None
    parent: str | None = None
    platform: bool = False  # a company that is also the name of its marketplace (Amazon)

    @property
    def entity(self) -> Entity:
        return Entity(self.name, self.type, self.qid, self.aliases)

    def surface_forms(self) -> Iterator[str]:
        """The name and aliases, plus typographic variants of apostrophes."""
        seen = set()
        for form in (self.name, *self.aliases):
            for variant in (form, form.replace("'", "\u2019"), form.replace("\u2019", "'")):
                if variant not in seen:
                    seen.add(variant)
                    yield variant


@dataclass(frozen=True)
class Gazetteer:
    """All gazetteer entries, indexed by normalised surface form."""

    entries: tuple[GazetteerEntry, ...]
    _index: dict[str, GazetteerEntry] = field(default_factory=dict, compare=False, repr=False)
    _by_name: dict[str, GazetteerEntry] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_records(cls, records: Iterable[dict], source: str = "<records>") -> "Gazetteer":
        entries = []
        for number, rec in enumerate(records, 1):
            where = rec.pop("_where", f"{source}: entry {number}") if isinstance(rec, dict) else source
            if not isinstance(rec, dict) or not isinstance(rec.get("name"), str) \
                    or not isinstance(rec.get("type"), str) or not rec["name"].strip():
                raise InputError(f"{where}: each line needs a string 'name' and 'type'")
            aliases = rec.get("aliases") or []
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise InputError(f"{where}: 'aliases' must be a list of strings")
            entry = GazetteerEntry(
                name=rec["name"], type=rec["type"], aliases=tuple(aliases),
                qid=rec.get("qid") or None, ambiguous=bool(rec.get("ambiguous")),
                operated_by=rec.get("operated_by") or None, parent=rec.get("parent") or None,
                platform=bool(rec.get("platform")))
            if entry.type not in ENTITY_TYPES:
                raise InputError(f"{where}: {entry.name!r} has type {entry.type!r}; use one of "
                                 + ", ".join(ENTITY_TYPES))
            entries.append(entry)
        gaz = cls(tuple(entries))
        for entry in entries:
            gaz._by_name.setdefault(entry.name, entry)
            for form in entry.surface_forms():
                gaz._index.setdefault(normalise(form), entry)
        return gaz

    @classmethod
    def load(cls, folder: str | Path | None = None) -> "Gazetteer":
        """Read every ``*.jsonl`` file in ``folder`` (default: ``data/gazetteers``)."""
        folder = Path(folder or os.environ.get("KG_GAZETTEERS") or DEFAULT_DIR)
        if not folder.is_dir():
            raise InputError(f"gazetteer folder {folder} not found; set KG_GAZETTEERS to "
                             "the folder holding the *.jsonl gazetteers")
        records: list[dict] = []
        for path in sorted(folder.glob("*.jsonl")):
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{path}: not UTF-8 text; save the gazetteer as UTF-8") from None
            for number, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    try:
                        rec = json.loads(line)
                    except ValueError as err:
                        raise InputError(f"{path}:{number}: malformed JSON ({err}); fix the "
                                         "gazetteer line") from None
                    if isinstance(rec, dict):
                        rec["_where"] = f"{path}:{number}"
                    records.append(rec)
        return cls.from_records(records, str(folder))

    def lookup(self, name: str) -> GazetteerEntry | None:
        """The entry a surface name refers to, if any.

        Short and ambiguous names must match exactly: "us" is not the US, "coach" not Coach.
        """
        entry = self._index.get(normalise(name))
        if entry is not None and (len(name.strip()) <= 3 or entry.ambiguous):
            if name.strip() not in set(entry.surface_forms()):
                return None
        return entry

    def get(self, canonical: str) -> GazetteerEntry | None:
        """The entry whose canonical name is exactly ``canonical``."""
        return self._by_name.get(canonical)

    def find_body(self, words: Iterable[str], country: str) -> GazetteerEntry | None:
        """The government body of ``country`` whose name holds all these words.

        "Italy's economic development ministry" -> Ministry of Economic Development (Italy).
        """
        wanted = {w.lower() for w in words}
        place = normalise(country)
        found = [e for e in self.entries if e.type == "GovernmentBody"
                 and wanted <= set(normalise(e.name).split())
                 and any(place in normalise(form) for form in (e.name, *e.aliases))]
        return found[0] if len(found) == 1 else None

    def operator_of(self, canonical: str) -> str | None:
        entry = self.get(canonical)
        return entry.operated_by if entry else None

    def ruler_patterns(self, exact: bool) -> list[dict]:
        """EntityRuler phrase patterns: label = type, id = canonical name.

        ``exact=False``: the names matched case-insensitively ("TMall" is Tmall), for a
        ruler with ``phrase_matcher_attr="LOWER"``. ``exact=True``: ambiguous and short
        names ("Coach", "Mars", "JD"), matched only as spelt, for an ``ORTH`` ruler.
        Phrase patterns run on spaCy's PhraseMatcher, far faster than token patterns.
        """
        patterns = []
        for entry in self.entries:
            for form in entry.surface_forms():
                strict = entry.ambiguous or len(form) <= 3
                if form.strip() and strict == exact:
                    patterns.append({"label": entry.type, "pattern": form, "id": entry.name})
        return patterns
