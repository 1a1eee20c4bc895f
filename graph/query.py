"""`kg query`: SPARQL over the built store (or any SPARQL 1.1 endpoint), read-only.

In: a query text (or the name of a ready query in `graph/queries/`), a format.
Out: bytes in that format, streamed. Queries run on Oxigraph's engine in a
child process, so a query that runs too long can be stopped at its timeout;
the store is opened read-only and UPDATE operations are refused before they
reach it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import threading
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import BinaryIO

from .errors import QueryError, QueryTimeout  # noqa: F401 - QueryTimeout is named here too
from .vocab import PREFIXES, compact

QUERIES_DIR = Path(__file__).parent / "queries"
DEFAULT_TIMEOUT = 60.0


class Format(str, Enum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    TSV = "tsv"
    XML = "xml"
    TURTLE = "turtle"
    TRIG = "trig"
    NT = "nt"
    NQ = "nq"
    JSONLD = "jsonld"


RESULT_FORMATS = (Format.TABLE, Format.JSON, Format.CSV, Format.TSV, Format.XML)
GRAPH_FORMATS = (Format.TURTLE, Format.TRIG, Format.NT, Format.NQ, Format.JSONLD)
MEDIA_TYPES = {
    Format.JSON: "application/sparql-results+json", Format.XML: "application/sparql-results+xml",
    Format.CSV: "text/csv", Format.TSV: "text/tab-separated-values", Format.TURTLE: "text/turtle",
    Format.TRIG: "application/trig", Format.NT: "application/n-triples", Format.NQ: "application/n-quads",
    Format.JSONLD: "application/ld+json",
}

_PARSER_LOCK = threading.Lock()
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_STRINGS_COMMENTS_IRIS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>|#[^\n]*')


@dataclass(frozen=True)
class ReadyQuery:
    name: str
    title: str
    description: str
    params: tuple[str, ...]
    text: str


def list_ready_queries() -> list[ReadyQuery]:
    """The ready queries shipped in graph/queries/, by name."""
    out = []
    for path in sorted(QUERIES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        meta = dict(re.findall(r"^# (\w+): (.*)$", text, re.MULTILINE))
        params = tuple(p.strip() for p in meta.get("param", "").split(",") if p.strip())
        out.append(ReadyQuery(path.stem, meta.get("title", path.stem), meta.get("description", ""), params, text))
    return out


def ready_query(name: str) -> ReadyQuery:
    for q in list_ready_queries():
        if q.name == name:
            return q
    names = ", ".join(q.name for q in list_ready_queries())
    raise QueryError(f"no ready query named {name!r} (ready queries: {names})")


def query_form(text: str, *, allow_service: bool = False) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; QueryError for an update, a SERVICE clause or no query.

    The text is parsed (rdflib's SPARQL 1.1 grammar), not searched for keywords, so a
    variable, prefix or name called `load` or `insert` is no update.

    >>> query_form("PREFIX ex: <http://e/> select ?load { ?load ex:insert ?o }")
    'SELECT'
    >>> query_form("INSERT DATA { <a:b> <a:c> <a:d> }")
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: kg query is read-only: INSERT DATA is an update, not a query
    """
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if not allow_service:
        # rdflib decodes \u escapes in the whole text, Oxigraph only inside strings and IRIs:
        # the two would not read the same query, so the check would not be of what runs
        escape = _ESCAPE.search(text)
        if escape:
            raise QueryError(f"{escape.group(0)}: kg query takes no \\u escapes; write the character "
                             "itself (--allow-service skips this check)")
        refuse_service(text)
    with _PARSER_LOCK:  # pyparsing's grammar objects are shared: one thread parses at a time
        try:
            parsed = parseQuery(text)
        except RecursionError:
            raise QueryError("the query is nested too deeply to check") from None
        except Exception:  # noqa: BLE001 - ParseException, and ValueError on escapes rdflib misreads
            parsed = None
        update = None
        if parsed is None:
            try:
                update = parseUpdate(text)
            except Exception:  # noqa: BLE001 - as above
                update = None
    if parsed is None:
        if update is not None and getattr(update, "request", None):
            name = update.request[0].name
            words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).upper()
            raise QueryError(f"kg query is read-only: {words} is an update, not a query")
        # not SPARQL to rdflib's grammar either: the engine reports the syntax error with its place
        bare = _STRINGS_COMMENTS_IRIS.sub(" ", text)
        form = _FORM.search(bare)
        if form is None:
            raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
        # rdflib cannot read it, so it cannot say what the engine will: "service" anywhere refuses it
        if not allow_service and "service" in text.casefold():
            raise QueryError(f"{SERVICE_REFUSED}; this query is not SPARQL 1.1 as the check reads it "
                             "and has the word in it")
        return form.group(1).upper()
    if not allow_service and "ServiceGraphPattern" in _parts(parsed):
        raise QueryError(SERVICE_REFUSED)
    return {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
            "DescribeQuery": "DESCRIBE"}[parsed[1].name]


SERVICE_REFUSED = ("SERVICE clauses are refused: they send the query to another server "
                   "(--allow-service permits them)")
# the word, then SILENT perhaps, then the variable or IRI it names, with nothing, spaces or
# comments between: what the engine needs to call out. Searched in the raw text, with no word
# boundary and inside strings too, because rdflib and Oxigraph do not split every text into
# the same tokens (Oxigraph reads "1SERVICE<…>" and "trueSERVICE<…>" as two tokens).
# A prefixed name counts only with a prefix the query can use (Oxigraph refuses any other).
# Possessive: spaces and comments are taken whole, so no text makes the search backtrack
# without end (a run of "#" could be split 2^n ways).
_GAP = r"(?:\s++|#[^\r\n]*+)*+"
_SERVICE_START = rf"(?i)SERVICE{_GAP}(?:SILENT{_GAP})?"
_DECLARED = re.compile(rf"(?i)PREFIX{_GAP}([^\s:#<]*):")
_ESCAPE = re.compile(r"\\[uU][0-9A-Fa-f]{4}")


def prepared(text: str) -> str:
    """The query text both parsers are given: carriage returns as line feeds (Oxigraph ends a
    comment at either, rdflib at a line feed only)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def refuse_service(text: str) -> None:
    """QueryError if the text could hold a SERVICE clause, wherever it stands (a string included).

    >>> refuse_service('SELECT * { ?s rdfs:label "customer service" }')
    >>> refuse_service('SELECT * { ?s ?p 1SERVICE<http://x/> { ?s ?p ?o } }')
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: SERVICE clauses are refused: they send the query to another server (--allow-service permits them); the text "SERVICE<" at line 1 reads as one (rename what it is, or give --allow-service)
    """
    declared = set(PREFIXES) | set(_DECLARED.findall(text))
    names = "|".join(re.escape(p) for p in sorted(declared, key=len, reverse=True))
    for found in re.finditer(_SERVICE_START + rf"(?:<|[?$]|(?:{names}):)", text):
        # the word ending a variable's name (?customerService) or a prefixed name's local part
        # (kgo:webService) is part of that token; after a number or true (1SERVICE) it is the keyword
        start = found.start()
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_.:%\\-"):
            start -= 1
        if ":" in text[start:found.start()] or (start > 0 and text[start - 1] in "?$"):
            continue
        line = text.count("\n", 0, found.start()) + 1
        shown = " ".join(found.group(0).split())
        raise QueryError(f"{SERVICE_REFUSED}; the text {shown!r} at line {line} reads as one (rename what it "
                         "is, or give --allow-service)".replace("'", '"', 2))


def _parts(tree) -> set[str]:
    """The names of every grammar rule in a parsed query."""
    from rdflib.plugins.sparql.parserutils import CompValue

    names: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            names.add(node.name)
            stack.extend(node.values())
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or hasattr(node, "asList"):
            stack.extend(node)
    return names


def named_iri(value: str) -> str | None:
    """The IRI a value names, written `<iri>` or `prefix:name` with a predeclared prefix; None for other text.

    >>> named_iri("kgo:meta"), named_iri("<a:b>"), named_iri("customer service")
    ('https://kg.example.org/id/org/meta', 'a:b', None)
    """
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    if re.fullmatch(r"[A-Za-z][\w-]*:[^\s]*", value):
        prefix, local = value.split(":", 1)
        if prefix in PREFIXES:
            return PREFIXES[prefix] + local
    return None


def values_marker(name: str) -> re.Pattern:
    """The `VALUES ?name { UNDEF }` line a binding of `name` goes into."""
    return re.compile(rf"VALUES\s+\?{re.escape(name)}\s*\{{\s*UNDEF\s*\}}", re.IGNORECASE)


def parse_binding(name: str, value: str):
    """A value for a query variable: <iri>, prefix:name, a number, or a plain string."""
    from .store import make_term

    xsd = "http://www.w3.org/2001/XMLSchema#"
    try:
        iri = named_iri(value)
        if iri is not None:
            return make_term(iri=iri)
        if value in ("true", "false"):
            return make_term(literal=value, datatype=xsd + "boolean")
        if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
            return make_term(literal=value, datatype=xsd + ("decimal" if "." in value else "integer"))
        return make_term(literal=value)
    except ValueError as exc:
        raise QueryError(f"--bind {name}={value}: {exc}") from None


def with_bindings(text: str, bindings: dict[str, object]) -> tuple[str, dict]:
    """Bind variables: in a `VALUES ?name { UNDEF }` line of the query, else by substitution.

    The terms are pyoxigraph terms (or a list of them, for a VALUES line), written in
    their own N-Triples syntax, so a value is always data, never query text. A marker
    inside a string, an IRI or a comment is text, not a place to bind into: where a marker
    is found, a random IRI goes there first and SPARQL's own grammar must read it as an
    IRI, or the binding is refused. Returns the query and the substitutions left for the
    engine (projected variables only).

    >>> with_bindings('SELECT * { BIND("VALUES ?x { UNDEF }" AS ?s) VALUES ?x { UNDEF } }', {"x": "<a:b>"})[0]
    'SELECT * { BIND("VALUES ?x { UNDEF }" AS ?s) VALUES ?x { <a:b> } }'
    """
    import secrets

    left = {}
    probes: dict[str, str] = {}  # probe IRI -> the values that replace it
    for name, term in bindings.items():
        values = term if isinstance(term, (list, tuple)) else [term]
        marker = values_marker(name)
        # strings, IRIs and comments blanked out (same length), so positions match the text
        bare = _STRINGS_COMMENTS_IRIS.sub(lambda m: " " * len(m.group(0)), text)
        found = list(marker.finditer(bare))
        if not found:
            if isinstance(term, (list, tuple)):
                raise QueryError(f"binding {name}: several values need a VALUES ?{name} {{ UNDEF }} line in the query")
            left[name] = term
            continue
        for m in reversed(found):  # every marker of the variable: a subquery's too
            probe = f"urn:kg:binding:{secrets.token_hex(12)}"
            probes[probe] = " ".join(map(str, values))
            text = text[:m.start()] + f"VALUES ?{name} {{ <{probe}> }}" + text[m.end():]
    if probes:
        # SPARQL's grammar must read each probe as an IRI: a marker inside a string or comment is text
        if not all(_reads_as_iri(text, probe) for probe in probes):
            names = ", ".join(sorted(n for n in bindings if n not in left))
            raise QueryError(f"binding {names}: a VALUES ?name {{ UNDEF }} line cannot be told apart from a "
                             "string or comment here (or the query is not SPARQL 1.1 as rdflib reads it); "
                             "nothing is bound")
        for probe, values in probes.items():
            text = text.replace(f"<{probe}>", values)
    return text, left


def _reads_as_iri(text: str, iri: str) -> bool:
    """Whether SPARQL's grammar (rdflib's parser) reads `iri` in `text` as an IRI, not inside a string."""
    from pyparsing import ParseException
    from rdflib import URIRef
    from rdflib.plugins.sparql.parser import parseQuery

    with _PARSER_LOCK:
        try:
            tree = parseQuery(text)
        except (ParseException, RecursionError, ValueError):
            return False
    wanted = URIRef(iri)
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, str):  # terms and literals are strings: only an IRI term is the IRI
            if isinstance(node, URIRef) and node == wanted:
                return True
            continue
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or hasattr(node, "asList"):
            stack.extend(node)
    return False


def store_folder(graph_dir: Path) -> Path:
    from .store import built_store

    return built_store(graph_dir)


def run_local(text: str, graph_dir: Path, fmt: Format, out: BinaryIO, *,
              timeout: float = DEFAULT_TIMEOUT, substitutions: dict | None = None,
              allow_service: bool = False, form: str | None = None, fresh: bool = False) -> None:
    """Run a query on the built store in a child process, stopped at `timeout`, and write the result to `out`.

    The command line forks (fast, and its process has no threads); `fresh` starts a new
    interpreter instead, which is safe where forking is not (a notebook's threads).
    Raises QueryError (bad query, wrong format for the query form, no store) and QueryTimeout.
    """
    # `form`: the caller checked the query already (query_form) and gives what it found
    form = form or query_form(text, allow_service=allow_service)
    _check_format(form, fmt)
    folder = store_folder(graph_dir)
    status_r, status_w = os.pipe()  # how the child ended, apart from the result it streams
    if fresh:
        child = _start_fresh(folder, text, fmt, form, substitutions or {}, status_w)
    else:
        child = _start_fork(folder, text, fmt, form, substitutions or {}, status_w)
    os.close(status_w)
    try:
        _relay(child, out, fmt, timeout)
        ending = _read_all(status_r)
    finally:
        os.close(status_r)
    if ending != b"done":
        # the engine failed, or the child died, after part of the result was written
        kind, _, message = ending[1:].decode("utf-8", "replace").partition("\x00")
        if not ending.startswith(b"E"):
            raise QueryError("the query process ended before its answer did (its error, if any, is above)")
        raise QueryError(f"the query failed after its result had begun: {_explain(kind, message)}")


@dataclass
class _Child:
    read_fd: int  # the result, "O" or "E" first
    kill: object
    reap: object


def _start_fork(folder: Path, text: str, fmt: Format, form: str, substitutions: dict, status_w: int) -> _Child:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child runs the query; the parent can stop it
        os.close(read_fd)
        os._exit(_answer(folder, text, fmt.value, form, substitutions, write_fd, status_w))
    os.close(write_fd)
    return _Child(read_fd, lambda: os.kill(pid, signal.SIGKILL), lambda: os.waitpid(pid, 0))


def _start_fresh(folder: Path, text: str, fmt: Format, form: str, substitutions: dict, status_w: int) -> _Child:
    import subprocess

    job = json.dumps({"folder": str(folder), "text": text, "fmt": fmt.value, "form": form, "status": status_w,
                      "substitutions": {name: str(term) for name, term in substitutions.items()}})
    env = dict(os.environ)
    # the child imports what this process imports: this package first, then this process's path
    # (-P: not the current folder, where a graph.py of the user's own would come first)
    paths = [str(Path(__file__).resolve().parent.parent)] + [p for p in sys.path if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    proc = subprocess.Popen([sys.executable, "-P", "-c", "from graph.query import _fresh_child; _fresh_child()"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, pass_fds=(status_w,), env=env)
    proc.stdin.write(job.encode("utf-8"))
    proc.stdin.close()
    read_fd = os.dup(proc.stdout.fileno())
    proc.stdout.close()
    return _Child(read_fd, proc.kill, proc.wait)


def _fresh_child() -> None:
    """The child a `fresh` run starts: the job on standard input, the result on standard output."""
    from .store import parse_term

    job = json.loads(sys.stdin.buffer.read())
    substitutions = {name: parse_term(nt) for name, nt in job["substitutions"].items()}
    out = os.dup(sys.stdout.fileno())
    sys.exit(_answer(Path(job["folder"]), job["text"], job["fmt"], job["form"], substitutions, out, job["status"]))


def _answer(folder: Path, text: str, fmt: str, form: str, substitutions: dict, write_fd: int, status_w: int) -> int:
    """In the child: run the query, stream the result to `write_fd` and say how it ended on `status_w`."""
    code = 0
    with os.fdopen(write_fd, "wb") as pipe, os.fdopen(status_w, "wb") as status:
        header = _Header(pipe)
        try:
            # first byte: "O" and the result follows, or "E" and an error does
            from .store import write_query_result

            write_query_result(folder, text, fmt, form, header, substitutions)
            status.write(b"done")
        except BrokenPipeError:
            pass
        except BaseException as exc:  # noqa: BLE001 - everything must reach the parent
            message = exc.args[0] if isinstance(exc, SyntaxError) and exc.args else str(exc)
            report = f"{type(exc).__name__}\x00{message}".encode()
            try:
                if header.started:  # the result has begun: the error goes beside it
                    status.write(b"E" + report)
                else:
                    pipe.write(b"E" + report)
            except BrokenPipeError:
                pass
            code = 1
    return code


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


class _Header:
    """A writer that puts "O" before the first bytes of a result."""

    def __init__(self, pipe: BinaryIO):
        self.pipe, self.started = pipe, False

    def write(self, data: bytes) -> int:
        if not self.started:
            self.pipe.write(b"O")
            self.started = True
        return self.pipe.write(data)

    def flush(self) -> None:
        self.pipe.flush()


def _relay(child: _Child, out: BinaryIO, fmt: Format, timeout: float) -> None:
    import selectors
    import time

    read_fd = child.read_fd
    deadline = time.monotonic() + timeout
    sel = selectors.DefaultSelector()
    sel.register(read_fd, selectors.EVENT_READ)
    head: bytes | None = None
    error = b""
    table: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(timeout=left):
                child.kill()
                raise QueryTimeout(f"query stopped after {timeout:g} s (--timeout)")
            data = os.read(read_fd, 1 << 16)
            if not data:
                break
            if head is None:
                head, data = data[:1], data[1:]
            if head == b"E":
                error += data
            elif fmt is Format.TABLE:
                table.append(data)  # a table is aligned over all rows
            else:
                out.write(data)
    except BaseException:
        child.kill()  # Ctrl-C, a reader gone: the child must not run on, nor the wait for it hang
        raise
    finally:
        sel.close()
        os.close(read_fd)
        child.reap()
    if head == b"E":
        kind, _, message = error.decode("utf-8", "replace").partition("\x00")
        raise QueryError(_explain(kind, message))
    if fmt is Format.TABLE:
        out.write(format_table(json.loads(b"".join(table) or b"{}")).encode("utf-8"))


def _explain(kind: str, message: str) -> str:
    if kind in ("QueryError", "StoreError", "KgError"):
        return message
    if kind == "SyntaxError":
        # pyoxigraph says "error at LINE:COLUMN: expected …"
        return f"syntax error: {message.removeprefix('error ')}"
    return f"query failed: {message}"


def _check_format(form: str, fmt: Format) -> None:
    if form in ("SELECT", "ASK") and fmt not in RESULT_FORMATS:
        raise QueryError(f"--format {fmt.value} is for CONSTRUCT and DESCRIBE; {form} gives table, json, csv, tsv or xml")
    if form in ("CONSTRUCT", "DESCRIBE") and fmt not in GRAPH_FORMATS:
        raise QueryError(f"--format {fmt.value} is for SELECT and ASK; {form} gives turtle, trig, nt, nq or jsonld")


def run_endpoint(text: str, endpoint: str, fmt: Format, out: BinaryIO, *,
                 timeout: float = DEFAULT_TIMEOUT, substitutions: dict | None = None,
                 allow_service: bool = False, form: str | None = None) -> None:
    """Run a query against any SPARQL 1.1 endpoint (SPARQL protocol, POST)."""
    import httpx

    if substitutions:
        raise QueryError(f"--bind {next(iter(substitutions))}: with --endpoint, the query needs a "
                         "VALUES ?name { UNDEF } line to bind into")
    # `form`: the caller checked the query already (query_form) and gives what it found
    form = form or query_form(text, allow_service=allow_service)
    _check_format(form, fmt)
    declared = " ".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items()
                        if re.search(rf"(?<![\w-]){re.escape(p)}:", text))
    body = f"{declared}\n{text}" if declared else text
    accept = MEDIA_TYPES[Format.JSON if fmt is Format.TABLE else fmt]
    try:
        with httpx.stream("POST", endpoint, data={"query": body}, headers={"Accept": accept},
                          timeout=timeout) as response:
            if response.status_code >= 400:
                detail = response.read().decode("utf-8", "replace").strip().splitlines()
                raise QueryError(f"{endpoint} answered HTTP {response.status_code}"
                                 + (f": {detail[0][:200]}" if detail else ""))
            if fmt is Format.TABLE:
                out.write(format_table(json.loads(response.read())).encode("utf-8"))
            else:
                out.writelines(response.iter_bytes())
    except httpx.TimeoutException:
        raise QueryTimeout(f"{endpoint}: no answer within {timeout:g} s (--timeout)") from None
    except httpx.HTTPError as exc:
        raise QueryError(f"--endpoint {endpoint}: {exc}") from None


def _cell(term: dict | None) -> str:
    if term is None:
        return ""
    kind, value = term["type"], term["value"]
    if kind == "uri":
        return compact(value)
    if kind == "bnode":
        return f"_:{value}"
    if "xml:lang" in term:
        return f"{value}@{term['xml:lang']}"
    dtype = term.get("datatype")
    if dtype and not dtype.endswith(("#string", "#integer", "#decimal", "#boolean", "#double")):
        return f"{value}^^{compact(dtype)}"
    return value


def format_table(results: dict) -> str:
    """An aligned text table of SPARQL JSON results, IRIs as prefixed names."""
    if "boolean" in results:
        return ("yes" if results["boolean"] else "no") + "\n"
    variables = results.get("head", {}).get("vars", [])
    rows = [[_cell(b.get(v)).replace("\n", " ") for v in variables] for b in results.get("results", {}).get("bindings", [])]
    widths = [max([len(v)] + [len(r[i]) for r in rows]) for i, v in enumerate(variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(variables, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def default_format(stream) -> Format:
    return Format.TABLE if stream.isatty() else Format.TSV


def stdout_binary() -> BinaryIO:
    return sys.stdout.buffer
