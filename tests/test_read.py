"""Reading article files: encodings, normalization and bad input."""

from __future__ import annotations

import pytest

from graph.errors import ReadError
from graph.read import read_article


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_utf8_with_bom_crlf_and_decomposed_accents_is_normalized(tmp_path):
    raw = "\ufeffMüller\r\nsagte: \u0065\u0301t\u00e9\r\n".encode("utf-8")
    article = read_article(write(tmp_path, "a.txt", raw), root=tmp_path)
    assert article.text == "Müller\nsagte: été\n"
    assert article.encoding == "utf-8"
    assert article.title == "Müller"


@pytest.mark.parametrize("encoding", ["cp1252", "iso-8859-1"])
def test_legacy_encodings_are_read_and_named(tmp_path, encoding):
    text = "Die Gründerin äußerte sich zur Übernahme für 2 Milliarden Euro."
    article = read_article(write(tmp_path, "b.txt", text.encode(encoding)), root=tmp_path)
    assert article.text == text
    assert article.encoding != "utf-8"


def test_empty_file_is_refused(tmp_path):
    with pytest.raises(ReadError, match=r"^e.txt: empty file$"):
        read_article(write(tmp_path, "e.txt", b"  \n"), root=tmp_path)


def test_binary_file_is_refused(tmp_path):
    with pytest.raises(ReadError, match="binary"):
        read_article(write(tmp_path, "b.txt", b"\x89PNG\r\n\x1a\n\x00\x00"), root=tmp_path)


def test_huge_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("graph.read.MAX_BYTES", 10)
    with pytest.raises(ReadError, match="too large"):
        read_article(write(tmp_path, "h.txt", b"x" * 11), root=tmp_path)


def test_unreadable_file_is_refused(tmp_path):
    path = write(tmp_path, "u.txt", b"text")
    path.chmod(0)
    try:
        import os
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read anything")
        with pytest.raises(ReadError, match="cannot read"):
            read_article(path, root=tmp_path)
    finally:
        path.chmod(0o644)


def test_path_is_relative_to_the_seeds_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    article = read_article(write(tmp_path / "sub", "c.md", b"# Title\n\nBody"), root=tmp_path)
    assert article.path == "sub/c.md"
    assert article.title == "Title"


def test_html_article_text_is_extracted_without_navigation(tmp_path):
    html = ("<html><head><title>Microsoft investiert in OpenAI</title></head><body>"
            "<nav><a href='/'>Startseite</a> <a href='/jobs'>Jobs</a></nav>"
            "<article><h1>Microsoft investiert in OpenAI</h1>"
            "<p>Microsoft investiert 10 Milliarden US-Dollar in OpenAI. Das teilte der Konzern am Montag mit, "
            "wie mehrere Medien übereinstimmend berichteten.</p>"
            "<p>Die Finanzchefin Amy Hood sagte, die Partnerschaft sei langfristig angelegt und stärke beide Seiten.</p>"
            "</article><footer>Impressum</footer></body></html>")
    article = read_article(write(tmp_path, "a.html", html.encode()), root=tmp_path)
    assert article.title == "Microsoft investiert in OpenAI"
    assert "Microsoft investiert 10 Milliarden US-Dollar in OpenAI." in article.text
    assert "Impressum" not in article.text
