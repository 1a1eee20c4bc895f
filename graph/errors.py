"""The one error hierarchy of kg; the CLI catches `KgError` once and prints one line.

    KgError
     ├── ReadError      an article or folder cannot be read
     ├── RuleError      rule files are malformed (all problems listed together)
     ├── OntologyError  the vocabulary, registry or shapes are malformed
     ├── ValidationError a built graph violates ontology/shapes.ttl
     ├── BuildError     a build cannot run (no articles, output not writable)
     ├── ForeignLanguage an article is in none of German, Dutch and English (skipped)
     ├── StoreError     the store cannot be written or opened
     ├── NoGraphError   --graph names a folder no build wrote
     ├── QueryError     a query is malformed, an update, or cannot be bound
     └── QueryTimeout   a query ran past its timeout
"""

from __future__ import annotations


class KgError(Exception):
    """Base class: a failure the user can act on, explained in one line."""

    #: exit code the CLI uses for this error (1: failure, 2: bad input or usage)
    exit_code = 1


class ReadError(KgError):
    exit_code = 2


class RuleError(KgError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in rule files: " + "; ".join(problems))


class OntologyError(KgError):
    pass


class ValidationError(KgError):
    pass


class BuildError(KgError):
    exit_code = 2


class ForeignLanguage(KgError):
    """An article kg cannot read: it is skipped with a warning, never misread."""

    def __init__(self, path: str, language: str, name: str):
        self.path, self.language = path, language
        super().__init__(f"{path}: written in {name} ({language}), not German, Dutch or English; skipped")


class StoreError(KgError):
    pass


class NoGraphError(KgError):
    exit_code = 2


class QueryError(KgError):
    exit_code = 2


class QueryTimeout(KgError):
    exit_code = 1
