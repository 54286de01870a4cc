"""kg.articles: reading articles from .txt, .md, .html, .json and .jsonl files.

Bad input never raises: every unusable file or JSON record becomes a ``Skipped`` with
a reason, and the good ones survive.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from kg.articles import read_articles, read_file
from kg.records import Article, Skipped


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def read_one(path: Path) -> Article:
    articles, skipped = read_articles([path])
    assert skipped == []
    (article,) = articles
    return article


def skip_reason(path: Path) -> str:
    articles, skipped = read_articles([path])
    assert articles == []
    (skip,) = skipped
    assert isinstance(skip, Skipped)
    return skip.reason


# ----------------------------------------------------------------------- .txt

def test_txt_headline_before_a_blank_line_is_the_title(tmp_path):
    content = "JD invests in Farfetch\n\nJD.com invested in Farfetch.\nIt took a stake.\n"
    article = read_one(write(tmp_path, "jd-farfetch.txt", content))
    assert article.id == "jd-farfetch"
    assert article.title == "JD invests in Farfetch"
    # The whole text is kept, headline included, so offsets refer to the file.
    assert article.text == content
    assert article.url is None and article.published is None
    assert article.source == str(tmp_path / "jd-farfetch.txt")


@pytest.mark.parametrize("content", [
    "JD.com invested in Farfetch. It took a stake.",  # one paragraph
    "JD.com invested in Farfetch,\nand it took a stake.\n\nMore text.",  # two-line first paragraph
    "x" * 400 + "\n\nBody.",  # far too long for a headline
], ids=["one-paragraph", "multi-line-head", "long-head"])
def test_txt_without_a_headline_has_no_title(tmp_path, content):
    article = read_one(write(tmp_path, "a.txt", content))
    assert article.title is None
    assert article.text == content


def test_txt_headline_with_windows_line_endings(tmp_path):
    # A headline followed by a blank line is a headline whatever the line endings.
    content = "JD invests in Farfetch\r\n\r\nJD.com invested in Farfetch.\r\n"
    article = read_one(write(tmp_path, "crlf.txt", content.encode("utf-8")))
    assert article.title == "JD invests in Farfetch"


def test_utf8_byte_order_mark_is_dropped(tmp_path):
    article = read_one(write(tmp_path, "bom.txt", "\ufeffHeadline\n\nBody text.".encode("utf-8")))
    assert article.title == "Headline"
    assert article.text.startswith("Headline")


# ------------------------------------------------------------------------ .md

def test_markdown_title_and_offsets_kept(tmp_path):
    content = ("# Alibaba takes a stake in Daraz #\n\n"
               "**Alibaba** invested in __Daraz__ in 2018.\n\n"
               "## Background\n\nDaraz runs marketplaces in South Asia.\n")
    article = read_one(write(tmp_path, "daraz.md", content))
    assert article.id == "daraz"
    assert article.title == "Alibaba takes a stake in Daraz"
    # The text is what a reader sees: markup removed, so the headline and the body agree
    # and offsets (which refer to the analysed text) never fall inside markup.
    assert article.text.startswith("Alibaba takes a stake in Daraz\n")
    assert "**" not in article.text and "__" not in article.text and "#" not in article.text
    assert "Alibaba invested in Daraz in 2018." in article.text
    assert "Background\n\nDaraz runs marketplaces in South Asia." in article.text


def test_markdown_without_a_level_one_heading_has_no_title(tmp_path):
    article = read_one(write(tmp_path, "notitle.md", "## Section\n\nJD.com invested in Farfetch.\n"))
    assert article.title is None
    assert "JD.com invested in Farfetch." in article.text


# ---------------------------------------------------------------------- .html

PAGE = """<!DOCTYPE html>
<html><head><title>Kering and Alibaba join forces against fakes | Example News</title>
<meta property="og:title" content="Kering and Alibaba join forces against fakes"></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/markets">Markets</a></li>
<li><a href="/subscribe">Subscribe to our newsletter</a></li></ul></nav>
<article>
<h1>Kering and Alibaba join forces against fakes</h1>
<p>Kering and Alibaba Group said on Thursday that they had signed an agreement to work
together to protect the intellectual property of Kering brands on Alibaba platforms.</p>
<p>The agreement follows years of litigation in which Kering accused Alibaba of allowing
counterfeit goods to be sold on its marketplaces, and it sets up a joint task force.</p>
<p>Under the deal, the two companies will share information and take down fake listings
faster, according to statements released by both sides on Thursday morning.</p>
</article>
<footer><p>Copyright 2017 Example Media Ltd. All rights reserved. Privacy policy |
Terms of use | Cookie settings</p></footer>
</body></html>
"""


def test_html_main_text_without_boilerplate(tmp_path):
    article = read_one(write(tmp_path, "kering-alibaba.html", PAGE))
    assert article.id == "kering-alibaba"
    assert article.title == "Kering and Alibaba join forces against fakes"
    text = " ".join(article.text.split())
    assert "signed an agreement to work together" in text
    assert "take down fake listings faster" in text
    for boilerplate in ("Subscribe to our newsletter", "Cookie settings", "All rights reserved",
                        "<p>", "</article>"):
        assert boilerplate not in text


def test_html_without_text_is_skipped(tmp_path):
    page = "<html><head><title>Nothing here</title></head><body><div></div></body></html>"
    assert skip_reason(write(tmp_path, "empty-page.htm", page)) == "empty article text"


# ---------------------------------------------------------------------- .json

def test_json_object_with_all_fields(tmp_path):
    record = {"id": "walmart-flipkart", "url": "https://news.example.com/wf",
              "title": "Walmart buys Flipkart", "published": "2018-05-09T10:30:00Z",
              "text": "Walmart acquired a 77% stake in Flipkart."}
    article = read_one(write(tmp_path, "some-file-name.json", json.dumps(record)))
    assert article == Article(id="walmart-flipkart", text=record["text"], url=record["url"],
                              title="Walmart buys Flipkart", published=date(2018, 5, 9),
                              source=str(tmp_path / "some-file-name.json"))


def test_json_object_without_id_takes_the_file_stem(tmp_path):
    article = read_one(write(tmp_path, "walmart-flipkart.json",
                             json.dumps({"text": "Walmart acquired Flipkart.", "published": None,
                                         "title": "", "url": 42})))
    assert article.id == "walmart-flipkart"
    # Empty or non-string title / url are absent, not "" or 42.
    assert article.title is None and article.url is None and article.published is None


def test_json_list_keeps_the_good_records_around_a_bad_one(tmp_path):
    records = [{"id": "a", "text": "Alibaba invested in Lazada."},
               {"id": "b", "title": "no text here"},
               {"id": "c", "text": "Gucci opened a store on Tmall."}]
    path = write(tmp_path, "briefs.json", json.dumps(records))
    articles, skipped = read_articles([path])
    assert [a.id for a in articles] == ["a", "c"]
    assert [a.text for a in articles] == [records[0]["text"], records[2]["text"]]
    (skip,) = skipped
    assert skip.source == f"{path}#2"  # records are numbered from 1, like JSON Lines
    assert "no text" in skip.reason


def test_json_list_records_without_ids_get_distinct_ids_from_the_stem(tmp_path):
    records = [{"text": "First."}, {"text": "Second."}]
    articles, skipped = read_articles([write(tmp_path, "briefs.json", json.dumps(records))])
    assert skipped == []
    ids = [a.id for a in articles]
    assert len(set(ids)) == 2
    assert all(i.startswith("briefs-") for i in ids)


def test_json_record_that_is_not_an_object_is_skipped(tmp_path):
    path = write(tmp_path, "mixed.json", json.dumps([["a list"], {"id": "ok", "text": "Fine."}]))
    articles, skipped = read_articles([path])
    assert [a.id for a in articles] == ["ok"]
    assert [s.reason for s in skipped] == ["JSON article is not an object"]


def test_numeric_id_becomes_a_string(tmp_path):
    article = read_one(write(tmp_path, "n.json", json.dumps({"id": 7, "text": "Body."})))
    assert article.id == "7"


# --------------------------------------------------------------------- .jsonl

def test_jsonl_one_article_a_line_with_a_malformed_line(tmp_path):
    lines = [json.dumps({"id": "one", "text": "JD.com invested in Farfetch."}),
             "",
             '{"id": "broken", "text": ',
             json.dumps({"text": "No id on this line."})]
    path = write(tmp_path, "briefs.jsonl", "\n".join(lines) + "\n")
    articles, skipped = read_articles([path])
    assert articles[0].id == "one"
    assert len(articles) == 2
    assert articles[1].id.startswith("briefs") and articles[1].id != "one"
    (skip,) = skipped
    assert skip.source == f"{path}#3"
    assert skip.reason.startswith("malformed JSON line")


# ---------------------------------------------------------------- bad inputs

@pytest.mark.parametrize("name, content, reason", [
    ("empty.txt", "", "empty article text"),
    ("blank.md", "  \n\n  ", "empty article text"),
    ("empty.jsonl", "\n\n", "empty JSON Lines file"),
    ("empty-list.json", "[]", "empty JSON list"),
    ("no-text.json", '{"id": "x", "text": "   "}', "JSON article has no text"),
])
def test_empty_inputs_are_skipped(tmp_path, name, content, reason):
    assert skip_reason(write(tmp_path, name, content)) == reason


@pytest.mark.parametrize("content", ["", "{not json", '{"id": "x", "text": "t"'],
                         ids=["empty", "garbage", "truncated"])
def test_malformed_json_is_skipped(tmp_path, content):
    assert skip_reason(write(tmp_path, "bad.json", content)).startswith("malformed JSON")


def test_non_utf8_text_is_skipped(tmp_path):
    reason = skip_reason(write(tmp_path, "latin1.txt", "Café Coty\n\nCoty sold it.".encode("latin-1")))
    assert reason.startswith("not UTF-8 text")


def test_missing_path_is_skipped(tmp_path):
    missing = tmp_path / "nowhere" / "article.txt"
    articles, skipped = read_articles([missing])
    assert articles == []
    assert skipped == [Skipped(str(missing), "no such file or folder")]


def test_unsupported_file_in_a_folder_is_skipped(tmp_path):
    write(tmp_path, "notes.docx", b"PK\x03\x04 binary")
    write(tmp_path, "ok.txt", "Gucci opened a store on Tmall.")
    articles, skipped = read_articles([tmp_path])
    assert [a.id for a in articles] == ["ok"]
    assert skipped == [Skipped(str(tmp_path / "notes.docx"), "unsupported file type '.docx'")]


def test_unsupported_file_named_directly_is_skipped_as_unsupported(tmp_path):
    # Named on the command line rather than found in a folder: same reason. A PDF is
    # not "not UTF-8 text", it is a file type kg does not read.
    pdf = write(tmp_path, "report.pdf", b"%PDF-1.4\n\xe2\xe3\xcf\xd3 binary")
    assert skip_reason(pdf).startswith("unsupported file type '.pdf'")
    (skip,) = list(read_file(pdf))
    assert skip.source == str(pdf) and skip.reason.startswith("unsupported file type '.pdf'")


def test_duplicate_ids_keep_the_first(tmp_path):
    a = write(tmp_path, "a.json", json.dumps({"id": "same", "text": "First."}))
    b = write(tmp_path, "b.json", json.dumps({"id": "same", "text": "Second."}))
    write(tmp_path, "same.txt", "Third, with the same id from its stem.")
    articles, skipped = read_articles([tmp_path])
    assert [(x.id, x.text) for x in articles] == [("same", "First.")]
    assert [s.source for s in skipped] == [str(b), str(tmp_path / "same.txt")]
    assert all(s.reason == "duplicate article id 'same'" for s in skipped)
    assert articles[0].source == str(a)


@pytest.mark.parametrize("published", ["2024-02-30", "next Tuesday", "10/01/2024", True])
def test_bad_published_date_is_skipped(tmp_path, published):
    path = write(tmp_path, "dated.json", json.dumps({"text": "Body.", "published": published}))
    reason = skip_reason(path)
    assert "published" in reason and "YYYY-MM-DD" in reason
    assert repr(published) in reason


# ------------------------------------------------------- order, many files

def test_folders_are_read_recursively_in_sorted_path_order(tmp_path):
    # Written out of order, in nested folders.
    for rel in ("b/zeta.txt", "a/2.txt", "c.md", "a/1.txt", "a/sub/0.txt"):
        write(tmp_path, rel, f"Text of {rel}.")
    articles, skipped = read_articles([tmp_path])
    assert skipped == []
    assert [a.id for a in articles] == ["1", "2", "0", "zeta", "c"]
    assert read_articles([tmp_path]) == (articles, skipped)


def test_inputs_are_read_in_the_order_given(tmp_path):
    one = write(tmp_path, "one.txt", "One.")
    two = write(tmp_path, "two.txt", "Two.")
    assert [a.id for a in read_articles([two, one])[0]] == ["two", "one"]
    assert [a.id for a in read_articles([str(one), str(two)])[0]] == ["one", "two"]


def test_hidden_files_are_ignored(tmp_path):
    write(tmp_path, ".DS_Store", b"\x00\x01binary")
    write(tmp_path, ".draft.txt", "A hidden draft.")
    write(tmp_path, "visible.txt", "Visible.")
    assert read_articles([tmp_path]) == ([read_one(tmp_path / "visible.txt")], [])


def test_a_folder_of_every_kind_of_bad_input_raises_nothing(tmp_path):
    bad = {
        "empty.txt": "",
        "bad.json": "{",
        "latin1.txt": "Caf\xe9".encode("latin-1"),
        "utf16.md": "# Title\n\nBody".encode("utf-16"),
        "list.json": json.dumps([1, None, {"text": 3}, {"text": "ok", "published": "x"}]),
        "lines.jsonl": "[1, 2]\nnull\n{\n",
        "page.html": "<html></html>",
        "image.png": b"\x89PNG\r\n",
    }
    for name, content in bad.items():
        write(tmp_path, name, content)
    write(tmp_path, "good.txt", "Headline\n\nAlibaba invested in Lazada.")
    articles, skipped = read_articles([tmp_path, tmp_path / "missing.json"])
    assert [a.id for a in articles] == ["good"]
    # One skip per bad file, one per bad record of list.json and lines.jsonl, in path order.
    where = [Path(s.source).name for s in skipped]
    assert where == ["bad.json", "empty.txt", "image.png", "latin1.txt",
                     "lines.jsonl#1", "lines.jsonl#2", "lines.jsonl#3",
                     "list.json#1", "list.json#2", "list.json#3", "list.json#4",
                     "page.html", "utf16.md", "missing.json"]
    assert all(s.reason for s in skipped)
