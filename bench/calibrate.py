"""Measure each extraction rule's precision on the dev corpus; write kg/patterns/rule_precision.json.

For every article of ``SHARED/corpus/dev/*.json`` (parsed once with kg's pipeline)
and every rule of ``kg/patterns/relations.json``, this runs kg's extractor with that
rule alone (:func:`kg.extract.extract` with ``rules=(rule,)``, asserted facts only, as
``kg extract`` prints them), so a fact that several rules find counts for each of them.
Each fact is judged as the shared scorer judges it -- ``SHARED/eval/score.py`` is
imported, and its ``load_gold``, ``normalise`` and ``fact`` map names through the gold
aliases and order symmetric pairs:

* in the article's gold facts          -> true positive (tp)
* among its ``optional`` gold facts    -> neither (counted as ``optional``, not in precision)
* otherwise                            -> false positive (fp)

The unit is the scorer's: a distinct (subject, relation, object) per article and rule,
however many sentences state it. Precision is smoothed with a Beta prior worth two
observations centred on the rule's hand-set confidence c: ``(tp + 2c) / (tp + fp + 2)``,
so a rule seen once moves from its prior towards what was seen, never to 1 or 0. A rule that never fired on dev has no entry under ``rules`` (it is
listed under ``unmeasured``), so a reader falls back to its hand-set confidence.

These are in-sample figures: the rules were written while looking at this corpus,
so they are optimistic.

Usage::

    .venv/bin/python bench/calibrate.py --shared ../shared [--out FILE] [--show-fp] [--fire] [--model NAME]

``--fire`` also prints the investedIn rules' precision on FIRE's dev split (the only
relation FIRE maps to): an out-of-sample check, printed and never written.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
OUT = ROOT / "kg" / "patterns" / "rule_precision.json"


def git_version() -> str:
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "kg"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + (" with uncommitted changes under kg/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def smoothed(tp: int, fp: int, prior: float = 0.5) -> float:
    """Beta(2c, 2(1-c)) prior centred on the rule's hand-set confidence c."""
    return (tp + 2 * prior) / (tp + fp + 2)


def count_rules(score, nlp, gazetteer, articles, gold, rules):
    """Per rule: tp / fp / optional counts, the false positives, and articles where the
    union of single-rule runs differs from one run with all rules."""
    from kg.build import triple_json
    from kg.extract import analysed_text, extract

    counts = {r.id: {"tp": 0, "fp": 0, "optional": 0} for r in rules}
    fps: dict[str, list[str]] = defaultdict(list)
    mismatches = []
    for article, doc in zip(articles, nlp.pipe((analysed_text(a) for a in articles), batch_size=16)):
        g = gold.get(article.id)
        if g is None:
            print(f"warning: {article.id} has no gold; left out", file=sys.stderr)
            continue

        def judged(triples) -> set[tuple[str, str, str]]:
            found = set()
            for t in triples:
                row = triple_json(t)
                s = g["aliases"].get(score.normalise(row["subject"]), row["subject"])
                o = g["aliases"].get(score.normalise(row["object"]), row["object"])
                found.add(score.fact(s, row["relation"], o))
            return found

        union: set = set()
        for rule in rules:
            for f in judged(extract(doc, article, gazetteer, rules=(rule,))):
                union.add(f)
                if f in g["facts"]:
                    counts[rule.id]["tp"] += 1
                elif f in g["optional"]:
                    counts[rule.id]["optional"] += 1
                else:
                    counts[rule.id]["fp"] += 1
                    fps[rule.id].append(f"{article.id}: {f}")
        everything = judged(extract(doc, article, gazetteer, rules=rules))
        if everything != union:  # rules are independent today; say so if that ever changes
            mismatches.append(article.id)

    return counts, fps, mismatches


def fire_table(score, shared: Path, nlp, gazetteer, rules) -> None:
    """The investedIn rules on FIRE's dev split, converted to a temporary gold folder."""
    import tempfile

    from kg.articles import read_articles

    with tempfile.TemporaryDirectory(prefix="kg-calibrate-") as tmp:
        subprocess.run([sys.executable, str(shared / "eval" / "fire_to_gold.py"),
                        str(shared / "peer" / "fire" / "fire_dev.json"), tmp], check=True)
        gold = score.load_gold(Path(tmp))
        articles, _ = read_articles(sorted(Path(tmp).glob("*.json")))
        counts, _, _ = count_rules(score, nlp, gazetteer, articles, gold, rules)
    print(f"FIRE dev split ({len(articles)} instances), investedIn rules, out of sample:")
    print(f"{'rule':38} {'tp':>3} {'fp':>3} {'opt':>3}  {'raw P':>5} {'P(1,1)':>6}")
    for rid, c in counts.items():
        n = c["tp"] + c["fp"]
        raw = f"{c['tp'] / n:.3f}" if n else "  -  "
        print(f"{rid:38} {c['tp']:3} {c['fp']:3} {c['optional']:3}  {raw:>5} {smoothed(c['tp'], c['fp']):6.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT.relative_to(ROOT)}")
    ap.add_argument("--show-fp", action="store_true", help="list each rule's false positives")
    ap.add_argument("--model", default=None, help="spaCy model (default: KG_MODEL or kg's default)")
    ap.add_argument("--fire", action="store_true",
                    help="also print the investedIn rules' precision on FIRE's dev split "
                         "(out of sample; printed only, not written)")
    args = ap.parse_args(argv)

    shared = args.shared.resolve()
    dev = shared / "corpus" / "dev"
    if not (shared / "eval" / "score.py").is_file() or not dev.is_dir():
        print(f"error: {shared}/eval/score.py or {dev} not found (is --shared right?)", file=sys.stderr)
        return 2
    sys.path.insert(0, str(shared / "eval"))
    import score  # the shared scorer: same normalisation, aliases and symmetric ordering

    from kg.articles import read_articles
    from kg.extract import load_rules
    from kg.nlp import load_pipeline, model_name

    started = time.perf_counter()
    gold = score.load_gold(dev)
    files = sorted(dev.glob("*.json"))
    articles, skipped = read_articles(files)
    for s in skipped:
        print(f"warning: skipped {s.source}: {s.reason}", file=sys.stderr)
    rules = load_rules()
    nlp, gazetteer = load_pipeline(args.model)

    counts, fps, mismatches = count_rules(score, nlp, gazetteer, articles, gold, rules)

    confidence = {r.id: r.confidence for r in rules}
    relation = {r.id: r.relation for r in rules}
    table = {rid: {**c, "n": c["tp"] + c["fp"], "precision": round(smoothed(c["tp"], c["fp"], confidence[rid]), 3),
                   "confidence": confidence[rid]} for rid, c in counts.items()}
    data = {
        "_comment": (
            f"Generated by bench/calibrate.py on {dt.date.today().isoformat()} from kg "
            f"{git_version()} with spaCy model {model_name(args.model)}: each rule of "
            f"relations.json run alone over the dev corpus ({len(articles)} articles of "
            "../shared/corpus/dev), asserted facts only, judged by ../shared/eval/score.py's "
            "aliases and normalisation, one count per distinct (subject, relation, object) per "
            "article. tp = in gold; fp = not in gold; optional gold facts are neither. "
            "precision = (tp + 2c) / (tp + fp + 2), a Beta prior centred on the hand-set confidence c; n = tp + fp; "
            "'confidence' is the hand-set value from relations.json. Rules that never fired "
            "(n = 0) are not under 'rules' but listed in 'unmeasured': keep their hand-set "
            "confidence. In-sample: the rules were tuned on "
            "this corpus. Regenerate with: .venv/bin/python bench/calibrate.py --shared ../shared"),
        "rules": {rid: row for rid, row in table.items() if row["n"]},
        "unmeasured": [rid for rid, row in table.items() if not row["n"]],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    print(f"{'rule':38} {'tp':>3} {'fp':>3} {'opt':>3}  {'raw P':>5} {'P(1,1)':>6} {'conf':>5}")
    by_rel: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for rid, row in table.items():
        raw = f"{row['tp'] / row['n']:.3f}" if row["n"] else "  -  "
        print(f"{rid:38} {row['tp']:3} {row['fp']:3} {row['optional']:3}  {raw:>5} "
              f"{row['precision']:6.3f} {row['confidence']:5.2f}")
        for i, k in enumerate(("tp", "fp", "optional")):
            by_rel[relation[rid]][i] += row[k]
    print("per relation (a fact found by k rules counts k times):")
    for rel, (tp, fp, opt) in by_rel.items():
        raw = f"{tp / (tp + fp):.3f}" if tp + fp else "  -  "
        print(f"  {rel:36} {tp:3} {fp:3} {opt:3}  {raw:>5} {smoothed(tp, fp):6.3f}")
    unfired = [rid for rid, row in table.items() if row["n"] == 0]
    if unfired:
        print(f"never fired on dev ({len(unfired)}): {', '.join(unfired)}")
    if args.show_fp:
        for rid, items in fps.items():
            print(f"FP {rid}:", *items, sep="\n  ")
    if mismatches:
        print(f"warning: all rules together gave other facts than the union of single rules in "
              f"{len(mismatches)} article(s): {', '.join(mismatches)}", file=sys.stderr)
    if args.fire:
        fire_table(score, shared, nlp, gazetteer, [r for r in rules if r.relation == "investedIn"])
    try:
        shown = args.out.resolve().relative_to(ROOT)
    except ValueError:
        shown = args.out
    print(f"wrote {shown} ({len(data['rules'])} rules measured, {len(data['unmeasured'])} unmeasured); "
          f"{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
