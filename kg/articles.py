"""Read news articles from files: ``.txt``, ``.md``, ``.html``, ``.json`` and ``.jsonl``.

Bad input never stops a read: each unusable file (or JSON record) becomes a
:class:`~kg.records.Skipped` with its reason, and the rest goes on.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "jd-farfetch.txt").write_text("JD invests\\n\\nJD.com invested in Farfetch.")
>>> _ = (folder / "empty.txt").write_text("   ")
>>> articles, skipped = read_articles([folder])
>>> [(a.id, a.title) for a in articles]
[('jd-farfetch', 'JD invests')]
>>> skipped[0].reason
'empty article text'
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from kg.records import Article, Skipped

SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")


def read_articles(paths: Iterable[str | Path]) -> tuple[list[Article], list[Skipped]]:
    """All articles under ``paths`` (files or folders, searched recursively), and what was skipped.

    Articles come in a stable order (sorted file paths, then record order), so that
    building twice gives the same graph. Duplicate article ids keep the first.
    """
    articles: list[Article] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for item in _iter_inputs(paths, skipped):
        if isinstance(item, Skipped):
            skipped.append(item)
        elif item.id in seen:
            skipped.append(Skipped(item.source or item.id, f"duplicate article id {item.id!r}"))
        else:
            seen.add(item.id)
            articles.append(item)
    return articles, skipped


def _iter_inputs(paths: Iterable[str | Path], skipped: list[Skipped]) -> Iterator[Article | Skipped]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            for file in files:
                if file.suffix.lower() in SUFFIXES:
                    yield from read_file(file)
                else:
                    yield Skipped(str(file), f"unsupported file type {file.suffix or '(none)'!r}")
        elif path.is_file():
            yield from read_file(path)
        else:
            yield Skipped(str(path), "no such file or folder")


def read_file(path: Path) -> Iterator[Article | Skipped]:
    """Articles (or skip records) from one file, by its extension."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        yield Skipped(str(path), f"unsupported file type {suffix or '(none)'!r}; kg reads "
                      + ", ".join(SUFFIXES))
        return
    try:
        raw = path.read_bytes()
    except OSError as err:
        yield Skipped(str(path), f"cannot read file: {err.strerror or err}")
        return
    try:
        content = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as err:
        yield Skipped(str(path), f"not UTF-8 text (byte {err.start})")
        return
    if suffix in (".txt", ".md") and _looks_binary(content):
        yield Skipped(str(path), "binary data, not text")
        return
    if suffix == ".json":
        yield from _from_json(path, content)
    elif suffix == ".jsonl":
        yield from _from_jsonl(path, content)
    elif suffix in (".html", ".htm"):
        yield _checked(path, *_from_html(content), path.stem)
    elif suffix == ".md":
        yield _checked(path, *_from_markdown(content), path.stem)
    elif suffix == ".txt":
        yield _checked(path, *_from_text(content), path.stem)
    else:
        yield Skipped(str(path), f"unsupported file type {suffix or '(none)'!r}")


def _looks_binary(content: str) -> bool:
    """NUL bytes or mostly control characters: not an article."""
    if "\x00" in content:
        return True
    sample = content[:4096]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    return bool(sample) and controls / len(sample) > 0.1


def _checked(path: Path, title: str | None, text: str, article_id: str,
             url: str | None = None, published: date | None = None) -> Article | Skipped:
    if not text.strip():
        return Skipped(str(path), "empty article text")
    return Article(id=article_id, text=text, url=url, title=title, published=published,
                   source=str(path))


def _from_text(content: str) -> tuple[str | None, str]:
    """A headline line followed by a blank line is the title; the whole text is kept."""
    head, sep, _ = content.lstrip().partition("\n\n")
    title = head.strip() if sep and "\n" not in head.strip() and len(head) < 300 else None
    return title, content


def _from_markdown(content: str) -> tuple[str | None, str]:
    match = re.search(r"^#\s+(.+?)\s*#*\s*$", content, flags=re.MULTILINE)
    title = _plain_markdown(match.group(1)).strip() if match else None
    # The article text is the plain text a reader sees; offsets refer to it.
    lines = [re.sub(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+(?=\S))", "", line).rstrip(" #")
             for line in content.splitlines()]
    return title, _plain_markdown("\n".join(lines))


def _plain_markdown(text: str) -> str:
    """Inline Markdown to plain text: links, emphasis and code marks dropped."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1", r"\2", text)


def _from_html(content: str) -> tuple[str | None, str]:
    """Main text with boilerplate (menus, footers) dropped, by trafilatura."""
    import trafilatura  # heavy: only when an HTML file is read

    text = trafilatura.extract(content, include_comments=False, include_tables=False,
                               favor_precision=True) or ""
    # trafilatura puts each block (headline, dateline, paragraph) on a line of its own
    text = re.sub(r"\n+", "\n\n", text)
    meta = trafilatura.extract_metadata(content)
    title = meta.title if meta and meta.title else None
    return title, text


def _record(path: Path, obj: object, index: int | None) -> Article | Skipped:
    where = f"{path}" if index is None else f"{path}#{index}"
    if not isinstance(obj, dict):
        return Skipped(where, "JSON article is not an object")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        return Skipped(where, "JSON article has no text")
    article_id = obj.get("id")
    if article_id is None:
        article_id = path.stem if index is None else f"{path.stem}-{index}"
    where = where if index is None else where
    published = obj.get("published")
    try:
        day = date.fromisoformat(str(published)[:10]) if published else None
    except ValueError:
        return Skipped(where, f"published is not a YYYY-MM-DD date: {published!r}")
    title, url = obj.get("title"), obj.get("url")
    return Article(id=str(article_id), text=text,
                   url=url if isinstance(url, str) and url else None,
                   title=title if isinstance(title, str) and title else None,
                   published=day, source=where)


def _from_json(path: Path, content: str) -> Iterator[Article | Skipped]:
    try:
        data = json.loads(content)
    except ValueError as err:
        yield Skipped(str(path), f"malformed JSON: {err}")
        return
    if isinstance(data, list):
        if not data:
            yield Skipped(str(path), "empty JSON list")
        for index, obj in enumerate(data, 1):
            yield _record(path, obj, index)
    else:
        yield _record(path, data, None)


def _from_jsonl(path: Path, content: str) -> Iterator[Article | Skipped]:
    lines = [(n, line) for n, line in enumerate(content.splitlines(), 1) if line.strip()]
    if not lines:
        yield Skipped(str(path), "empty JSON Lines file")
    for number, line in lines:
        try:
            obj = json.loads(line)
        except ValueError as err:
            yield Skipped(f"{path}#{number}", f"malformed JSON line: {err}")
            continue
        yield _record(path, obj, number)
