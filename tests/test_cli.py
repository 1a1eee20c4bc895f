"""The command line: exit codes, one-line errors, warnings, and a fast --help."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from click.testing import CliRunner
from conftest import SEEDS

from graph.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_build_prints_one_summary_line(tmp_path):
    result = run("build", "--seeds", str(SEEDS), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    out = tmp_path / "out"
    assert lines[0].startswith(f"Built {out / 'graph.trig'} and {out / 'graph.html'}: 5 documents (de, nl), ")
    assert "statements" in lines[0] and "evidence spans" in lines[0]


def test_missing_seeds_folder_is_a_one_line_error_with_exit_code_2(tmp_path):
    result = run("build", "--seeds", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: --seeds {tmp_path / 'nope'}: no such folder\n"


def test_folder_without_readable_articles_is_an_error(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "empty.txt").write_bytes(b"")
    result = run("build", "--seeds", str(tmp_path / "seeds"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"Error: --seeds {tmp_path / 'seeds'}: no readable article (.txt, .md, .html)"]


def test_unwritable_out_is_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("build", "--seeds", str(SEEDS), "--out", str(blocker / "out"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: --out {blocker / 'out'}: not writable")
    assert len(result.stderr.splitlines()) == 1


def test_bad_files_are_warnings_naming_them_and_the_build_goes_on(tmp_path):
    seeds = shutil.copytree(SEEDS, tmp_path / "seeds")
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    (seeds / "legacy.txt").write_bytes("Die Übernahme durch Microsoft für 2 Milliarden Euro ärgert Kunden.".encode("cp1252"))
    result = run("build", "--seeds", str(seeds), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert "Warning: empty.txt: empty file" in warnings
    assert "Warning: binary.txt: binary file (contains NUL bytes)" in warnings
    assert any(w.startswith("Warning: legacy.txt: not UTF-8; read as ") for w in warnings)
    assert "6 documents" in result.stdout


def test_internal_errors_are_one_line_without_debug(tmp_path, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("something broke")

    monkeypatch.setattr("graph.builder.build_graph", boom)
    result = CliRunner().invoke(main, ["build", "--seeds", str(SEEDS), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == "Error: internal error: RuntimeError: something broke (run with --debug for the traceback)\n"
    result = CliRunner().invoke(main, ["--debug", "build", "--seeds", str(SEEDS), "--out", str(tmp_path)])
    assert isinstance(result.exception, RuntimeError)


def test_every_command_has_a_summary_and_an_example():
    for name, command in main.commands.items():
        assert command.help and "Example:" in command.help, name


def test_help_does_not_import_heavy_modules():
    code = ("import sys; from graph.cli import main; "
            "heavy = [m for m in ('rdflib', 'pyoxigraph', 'pyshacl', 'networkx', 'babel', 'syntok') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(SEEDS.parent)})
    assert out.stdout.strip() == ""
