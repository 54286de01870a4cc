"""Score kg's extraction on the dev corpus and on FIRE's dev split.

Runs kg's own extraction in this process (:func:`kg.build.extract_paths`, the
spaCy pipeline loaded once for both corpora), writes the facts as ``kg extract
--format jsonl`` would to a temporary file, and scores them with the shared
scorer (``SHARED/eval/score.py GOLD JSONL``, run with ``python3``):

1. ``SHARED/corpus/dev/*.json`` -- the hand-labelled dev articles (all five relations);
2. FIRE's dev split, turned into a temporary gold folder by
   ``SHARED/eval/fire_to_gold.py SHARED/peer/fire/fire_dev.json TMPDIR``. FIRE only
   maps to investedIn, so only that row of its table means anything.

Nothing is written into the repository: the article texts (and the JSONL, which
quotes their sentences) live in a temporary folder that is removed at the end.

The exit status is 0 whatever the scores are, and non-zero only when something
fails (missing shared files, a crash, the scorer or converter failing).

Usage::

    .venv/bin/python bench/eval.py --shared ../shared [--errors] [--model NAME] [--no-fire]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def python3() -> str:
    """The interpreter the shared scripts run with: ``python3`` (they need only the stdlib)."""
    return shutil.which("python3") or sys.executable


def extract_to_jsonl(files: list[Path], out: Path, model: str | None) -> tuple[int, int, int, float]:
    """Extract asserted facts from ``files`` into ``out``; (articles, skipped, facts, seconds)."""
    from kg.build import extract_paths, write_jsonl

    started = time.perf_counter()
    result = extract_paths(files, model=model)
    with out.open("w", encoding="utf-8") as stream:
        n = write_jsonl(result.triples, stream)
    seconds = time.perf_counter() - started
    for s in result.skipped:
        print(f"warning: kg skipped {s.source}: {s.reason}", file=sys.stderr)
    return len(result.articles), len(result.skipped), n, seconds


def run_score(shared: Path, gold: Path, jsonl: Path, errors: bool) -> int:
    cmd = [python3(), str(shared / "eval" / "score.py"), str(gold), str(jsonl)]
    if errors:
        cmd.append("--errors")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        print(f"error: score.py exited with status {proc.returncode}", file=sys.stderr)
    return proc.returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared",
                    help="the shared folder (default: ../shared beside the checkout)")
    ap.add_argument("--errors", action="store_true", help="list false positives and negatives")
    ap.add_argument("--model", default=None, help="spaCy model (default: KG_MODEL or kg's default)")
    ap.add_argument("--no-fire", action="store_true", help="score the dev corpus only")
    args = ap.parse_args(argv)

    shared = args.shared.resolve()
    dev = shared / "corpus" / "dev"
    fire = shared / "peer" / "fire" / "fire_dev.json"
    needed = [dev, shared / "eval" / "score.py"]
    if not args.no_fire:
        needed += [shared / "eval" / "fire_to_gold.py", fire]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        print(f"error: not found: {', '.join(missing)} (is --shared right?)", file=sys.stderr)
        return 2
    dev_files = sorted(dev.glob("*.json"))  # not INDEX.md: it is no article
    if not dev_files:
        print(f"error: no *.json articles in {dev}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    status = 0
    with tempfile.TemporaryDirectory(prefix="kg-eval-") as tmp:
        tmp = Path(tmp)

        n_art, n_skip, n_facts, secs = extract_to_jsonl(dev_files, tmp / "dev.jsonl", args.model)
        print(f"== dev corpus: {dev} ({n_art} articles, {n_skip} skipped, "
              f"{n_facts} facts, extraction {secs:.1f} s incl. model load)")
        status |= run_score(shared, dev, tmp / "dev.jsonl", args.errors)

        if not args.no_fire:
            gold = tmp / "fire-gold"
            conv = subprocess.run([python3(), str(shared / "eval" / "fire_to_gold.py"), str(fire), str(gold)],
                                  capture_output=True, text=True)
            if conv.returncode != 0:
                sys.stderr.write(conv.stderr)
                print(f"error: fire_to_gold.py exited with status {conv.returncode}", file=sys.stderr)
                return 1
            fire_files = sorted(gold.glob("*.json"))
            n_art, n_skip, n_facts, secs = extract_to_jsonl(fire_files, tmp / "fire.jsonl", args.model)
            print()
            print(f"== FIRE dev split: {fire.name} ({n_art} instances, {n_skip} skipped, "
                  f"{n_facts} facts, extraction {secs:.1f} s)")
            print("   FIRE only maps to investedIn: only the investedIn row below is meaningful;")
            print("   the other rows' fp are facts FIRE does not annotate, and the core line mixes them in.")
            status |= run_score(shared, gold, tmp / "fire.jsonl", args.errors)

    print()
    print(f"elapsed: {time.perf_counter() - started:.1f} s")
    return 1 if status else 0


if __name__ == "__main__":
    sys.exit(main())
