"""Benchmark: kg's extraction speed next to plain spaCy on the same text, in one run.

The text is the dev corpus (``SHARED/corpus/dev/*.json``), plus FIRE's dev split
(converted to a temporary folder with ``SHARED/eval/fire_to_gold.py``) unless
``--no-fire``. Every configuration processes exactly the same strings -- what kg
parses, :func:`kg.extract.analysed_text` of each article (headline + body) -- and
"words" are whitespace-separated words of those strings, the same count for all.

Configurations, timed in the same process:

``spacy``       plain ``nlp.pipe`` of the same model (``spacy.load(MODEL)``, nothing of kg's
                added), ``batch_size=16`` as kg uses;
``kg-parse``    ``nlp.pipe`` of kg's pipeline (model + paragraph breaks + gazetteer
                EntityRuler), no extraction -- shows where kg's extra time goes;
``kg``          :func:`kg.build.extract_paths` on the article files: reading, parsing with
                kg's pipeline and extracting facts (all statuses off but ``asserted``,
                as ``kg extract`` does) -- the whole path;
``kg-2proc``    the same parse + :func:`kg.extract.extract` with ``nlp.pipe(n_process=2)``
                (extract_paths has no n_process option; ``--no-multi`` skips it).

Each configuration runs once to warm up (model loading, caches), then ``--repeat``
times, interleaved (spacy, kg-parse, kg, ... , spacy, kg-parse, kg, ...) so that
drift in the machine's speed hits all alike. The table gives the best and median
time; words/s and the ratio kg/spacy use the best time (``--stat median`` for the median).

Usage::

    .venv/bin/python bench/extract_speed.py --shared ../shared [--repeat 5] [--no-fire]
                                            [--no-multi] [--stat best|median] [--model NAME]
"""
from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BATCH = 16  # kg.build.extract_paths' batch size


def timed(fn) -> float:
    gc.collect()
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per configuration (after one warm-up)")
    ap.add_argument("--stat", choices=("best", "median"), default="best",
                    help="the time words/s and the ratio are computed from")
    ap.add_argument("--no-fire", action="store_true", help="dev corpus texts only")
    ap.add_argument("--no-multi", action="store_true", help="skip the n_process=2 configuration")
    ap.add_argument("--model", default=None, help="spaCy model (default: KG_MODEL or kg's default)")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    import spacy

    from kg.articles import read_articles
    from kg.build import extract_paths
    from kg.extract import analysed_text, extract
    from kg.nlp import load_pipeline, model_name

    shared = args.shared.resolve()
    dev = shared / "corpus" / "dev"
    fire = shared / "peer" / "fire" / "fire_dev.json"
    if not dev.is_dir() or (not args.no_fire and not fire.is_file()):
        print(f"error: {dev} or {fire} not found (is --shared right?)", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="kg-speed-") as tmp:
        files = sorted(dev.glob("*.json"))
        if not args.no_fire:
            gold = Path(tmp) / "fire"
            conv = subprocess.run([shutil.which("python3") or sys.executable,
                                   str(shared / "eval" / "fire_to_gold.py"), str(fire), str(gold)],
                                  capture_output=True, text=True)
            if conv.returncode != 0:
                sys.stderr.write(conv.stderr)
                return 1
            files += sorted(gold.glob("*.json"))
        articles, skipped = read_articles(files)
        if skipped:
            for s in skipped:
                print(f"warning: skipped {s.source}: {s.reason}", file=sys.stderr)
        texts = [analysed_text(a) for a in articles]
        words = sum(len(t.split()) for t in texts)
        name = model_name(args.model)

        plain = spacy.load(name)  # a fresh instance: kg's additions go on its own copy
        kg_nlp, gazetteer = load_pipeline(name)
        print(f"model {name} (spaCy {spacy.__version__}); plain pipes: {', '.join(plain.pipe_names)}")
        print(f"kg pipes: {', '.join(kg_nlp.pipe_names)} "
              f"({kg_nlp.meta.get('kg', {}).get('gazetteer_entries', '?')} gazetteer entries)")
        n_dev = len(list(dev.glob("*.json")))
        print(f"text: {len(texts)} articles ({n_dev} dev" + ("" if args.no_fire else f" + {len(files) - n_dev} FIRE")
              + f"), {words:,} words, {sum(map(len, texts)):,} characters")

        facts: dict[str, int] = {}

        def run_plain() -> None:
            for _ in plain.pipe(texts, batch_size=BATCH):
                pass

        def run_kg_parse() -> None:
            for _ in kg_nlp.pipe(texts, batch_size=BATCH):
                pass

        def run_kg() -> None:
            facts["kg"] = len(extract_paths(files, model=name).triples)

        def run_kg_multi() -> None:
            n = 0
            for article, doc in zip(articles, kg_nlp.pipe(texts, batch_size=BATCH, n_process=2)):
                n += len(list(extract(doc, article, gazetteer)))
            facts["kg-2proc"] = n

        configs = {"spacy": run_plain, "kg-parse": run_kg_parse, "kg": run_kg}
        if not args.no_multi:
            configs["kg-2proc"] = run_kg_multi

        for label, fn in configs.items():  # warm-up
            try:
                print(f"warm-up {label}: {timed(fn):.2f} s", flush=True)
            except Exception as err:  # n_process may not work everywhere
                if label != "kg-2proc":
                    raise
                print(f"kg-2proc skipped: {type(err).__name__}: {err}", file=sys.stderr)
                del configs[label]
                break

        times: dict[str, list[float]] = {label: [] for label in configs}
        for _ in range(args.repeat):
            for label, fn in configs.items():
                times[label].append(timed(fn))

    pick = min if args.stat == "best" else statistics.median
    print()
    print(f"{args.repeat} timed run(s) each after a warm-up; words/s from the {args.stat} time")
    print(f"{'config':10} {'words':>8} {'best s':>8} {'median s':>9} {'words/s':>9} {'vs spacy':>9}")
    rate = {label: words / pick(ts) for label, ts in times.items()}
    for label, ts in times.items():
        print(f"{label:10} {words:8,} {min(ts):8.2f} {statistics.median(ts):9.2f} "
              f"{rate[label]:9,.0f} {rate[label] / rate['spacy']:8.2f}x")
    print()
    print(f"ratio kg/spacy (words/s, {args.stat}): {rate['kg'] / rate['spacy']:.2f}"
          f"  -- kg runs at {100 * rate['kg'] / rate['spacy']:.0f}% of plain spaCy's speed")
    print(f"  of which pipeline additions: kg-parse/spacy {rate['kg-parse'] / rate['spacy']:.2f}; "
          f"extraction + reading: kg/kg-parse {rate['kg'] / rate['kg-parse']:.2f}")
    if "kg-2proc" in rate:
        print(f"  kg with n_process=2: {rate['kg-2proc'] / rate['kg']:.2f}x kg's one-process speed")
        if facts.get("kg-2proc") != facts.get("kg"):
            print(f"  warning: kg-2proc found {facts.get('kg-2proc')} facts, kg {facts.get('kg')}",
                  file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
