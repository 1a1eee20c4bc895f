"""Read an article file into an `Article`: bytes in, normalized text out.

The text is decoded, NFC-normalized and its line endings turned into "\\n";
nothing else is changed, so every offset in the graph refers to this string.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import ReadError
from .types import Article

SUFFIXES = {".txt": "text/plain", ".md": "text/markdown", ".html": "text/html", ".htm": "text/html"}

#: articles larger than this are skipped with a warning: a news article is a few KB
MAX_BYTES = 5 * 1024 * 1024

# Encodings European news archives still hold, tried in order when UTF-8 fails.
LEGACY_ENCODINGS = ("iso-8859-15", "iso-8859-1", "cp850", "mac_roman")


@dataclass(frozen=True)
class RawText:
    text: str
    encoding: str


def decode_bytes(data: bytes, *, name: str) -> RawText:
    """Decode article bytes: UTF-8 (with or without BOM), else a legacy encoding.

    Raises ReadError for empty or binary content.

    >>> decode_bytes("Grüße".encode("cp1252"), name="a.txt").encoding
    'cp1252'
    """
    if not data.strip():
        raise ReadError(f"{name}: empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return RawText(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise ReadError(f"{name}: binary file (contains NUL bytes)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return RawText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    # Windows-1252 first: it is what Western European newsrooms wrote before UTF-8,
    # and it decodes strictly (five bytes are undefined), so a wrong guess usually fails.
    try:
        text = data.decode("cp1252")
        if _looks_like_text(text):
            return RawText(text, "cp1252")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only needed for the rare odd file

    best = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
    if best is not None and best.encoding:
        text = str(best)
        if _looks_like_text(text):
            return RawText(text, best.encoding)
    for encoding in LEGACY_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return RawText(text, encoding)
    raise ReadError(f"{name}: not text in UTF-8 or a known legacy encoding")


def _looks_like_text(text: str) -> bool:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    return controls <= max(2, len(text) // 1000)


def normalize_text(text: str) -> str:
    """NFC and "\\n" line endings; nothing stripped, so offsets stay honest.

    >>> normalize_text("a\\r\\nb\\rc")
    'a\\nb\\nc'
    """
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def read_article(path: Path, *, root: Path) -> Article:
    """Read one article; `root` is the seeds folder its path is named against.

    Raises ReadError when the file is unreadable, empty, binary, too large or
    not decodable.
    """
    rel = path.relative_to(root).as_posix()
    media_type = SUFFIXES.get(path.suffix.lower())
    if media_type is None:
        raise ReadError(f"{rel}: unsupported file type {path.suffix!r}")
    data = _read_regular_file(path, rel)
    raw = decode_bytes(data, name=rel)
    title = ""
    text = raw.text
    if media_type == "text/html":
        text, title = _html_to_text(text, name=rel)
    text = normalize_text(text)
    if not text.strip():
        raise ReadError(f"{rel}: no article text")
    if not title:
        title = _first_line(text, markdown=media_type == "text/markdown")
    # Hash the text as read, so the same article in another encoding is the same document.
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Article(path=rel, text=text, sha256=sha, language="", title=title,
                   encoding=raw.encoding, media_type=media_type)


def _read_regular_file(path: Path, rel: str) -> bytes:
    """The bytes of a regular file, at most MAX_BYTES; anything else is a ReadError.

    Opened without blocking and checked on the open descriptor, so a FIFO named
    "x.txt" cannot hang the build and a link to /dev/zero cannot fill memory, and
    a file swapped for something else between a check and the read is still caught.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise ReadError(f"{rel}: cannot read ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReadError(f"{rel}: not a regular file ({_file_kind(st.st_mode)}); skipped")
        if st.st_size > MAX_BYTES:
            raise ReadError(f"{rel}: too large ({st.st_size:,} bytes; the limit is {MAX_BYTES:,})")
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_BYTES:  # it grew while being read
            raise ReadError(f"{rel}: too large (over {MAX_BYTES:,} bytes)")
        return b"".join(chunks)
    except OSError as exc:
        raise ReadError(f"{rel}: cannot read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a plain file"


TITLE_CHARS = 120


def _first_line(text: str, *, markdown: bool) -> str:
    """The headline: the first line, or the beginning of it when the article has none."""
    for line in text.split("\n"):
        line = line.strip()
        if line:
            line = line.lstrip("#").strip() if markdown else line
            if len(line) > TITLE_CHARS:  # a paragraph, not a headline
                line = line[:TITLE_CHARS].rsplit(" ", 1)[0] + " …"
            return line
    return ""


def _html_to_text(html: str, *, name: str) -> tuple[str, str]:
    """Main text and title of an HTML page; navigation and comments are left out."""
    import trafilatura  # heavy; only HTML articles need it

    doc = trafilatura.bare_extraction(html, include_comments=False, include_tables=False,
                                      with_metadata=True, favor_precision=True)
    if doc is None or not getattr(doc, "text", None):
        raise ReadError(f"{name}: no article text found in the HTML")
    title = (getattr(doc, "title", None) or "").strip()
    text = doc.text
    return (f"{title}\n\n{text}" if title and not text.startswith(title) else text), title
