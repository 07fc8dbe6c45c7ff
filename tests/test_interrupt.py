"""Ctrl-C at any moment: one line, exit code 130, no traceback, no temp file left behind; temp
files of killed runs removed by the next run; the slow first font cut says what it does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from kmc_reports import atomic, fonts
from kmc_reports.cli import main

INTERRUPTED = "kmc-reports：錯誤：已中斷（Ctrl-C）；未完成的檔案已清除"
posix_only = pytest.mark.skipif(os.name != "posix", reason="signals as on POSIX")


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")] if folder.exists() else []


def start(args, cwd: Path, stderr: Path) -> subprocess.Popen:
    """`python -m kmc_reports ARGS`, as the console script runs it (same font cache)."""
    return subprocess.Popen([sys.executable, "-m", "kmc_reports", *map(str, args)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=stderr.open("wb"),
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def wait_for(condition, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, "finished before it could be interrupted"
        assert time.monotonic() < deadline, "nothing happened"
        time.sleep(0.02)


def assert_interrupted(proc: subprocess.Popen, err_file: Path, out: Path,
                       line: str = INTERRUPTED, code: int = 130) -> None:
    proc.wait(timeout=60)
    err = err_file.read_text(encoding="utf-8")
    assert proc.returncode == code, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    errors = [l for l in err.splitlines() if l.startswith("kmc-reports：")]
    assert errors == [line], err
    assert err.splitlines()[-1] == line
    assert not temp_files(out)


@posix_only
@pytest.mark.parametrize("moment", ["starting", "building"])
def test_ctrl_c_during_a_build(tmp_path, moment):
    out, err = tmp_path / "out", tmp_path / "stderr.txt"
    proc = start(["build", "--out", out], tmp_path, err)
    if moment == "starting":  # while the modules are still being imported
        time.sleep(0.15)
    else:  # the first standard is done (a line per standard: stderr is no terminal)
        wait_for(lambda: "[1/" in err.read_text(encoding="utf-8"), proc)
    proc.send_signal(signal.SIGINT)
    assert_interrupted(proc, err, out)


SLOW_WRITE = textwrap.dedent("""
    import os, sys, time
    from kmc_reports import atomic, interrupt

    def slow_replace(src, dst, _replace=os.replace):
        print("writing", flush=True)
        time.sleep(60)
        _replace(src, dst)

    os.replace = slow_replace
    with interrupt.handled():
        try:
            atomic.write_bytes(sys.argv[1], b"half")
        except interrupt.Interrupted as exc:
            interrupt.stop(exc)
""")


@posix_only
@pytest.mark.parametrize("signum, line, code", [
    (signal.SIGINT, INTERRUPTED, 130),
    (signal.SIGTERM, "kmc-reports：錯誤：已終止（SIGTERM）；未完成的檔案已清除", 143),
])
def test_a_write_cut_off_by_a_signal_leaves_no_file(tmp_path, signum, line, code):
    target, err = tmp_path / "out" / "report.pdf", tmp_path / "stderr.txt"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITE, str(target)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=err.open("wb"),
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout.readline() == b"writing\n"
    assert len(temp_files(target.parent)) == 1  # the temp file being written
    proc.send_signal(signum)
    assert_interrupted(proc, err, target.parent, line, code)
    assert not target.exists()


# -- temp files --------------------------------------------------------------------------------

def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temp_files_are_named_by_process_and_ours_removed_on_exit(tmp_path):
    atomic.write_bytes(tmp_path / "a.txt", b"a")
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    # a write of this process cut off where the except clause could not run
    mine = tmp_path / f".b.txt.{os.getpid()}-abcd1234.tmp"
    mine.write_bytes(b"half")
    assert atomic.TEMP_NAME.match(mine.name)
    assert not atomic.is_stale(mine)  # never taken for another run's
    atomic.cleanup()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_stale_temp_files_of_killed_runs_are_removed_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    folder = out / "KMC2432-001v4"
    folder.mkdir(parents=True)
    old = time.time() - 3600
    alive = os.getppid()  # a live process that is not this one
    stale = [f".KMC2432-001v4-profile.pdf.{dead_pid()}-k2j4h5g6.tmp",  # its run is gone
             f".KMC2432-001v4-job.docx.{alive}-abcdefgh.tmp",  # an hour old
             ".KMC2432-001v4-job.pdf.x1y2z3_4.tmp"]  # older naming, an hour old
    kept = [f".KMC2432-001v4-profile.docx.{alive}-a1b2c3d4.tmp",  # a run writing right now
            ".hidden.tmp", "notes.tmp", ".notes.abc.tmp", "KMC2432-001v4.tmp"]  # not ours
    for name in stale + kept:
        (folder / name).write_bytes(b"x")
    for name in stale[1:] + kept[1:]:
        os.utime(folder / name, (old, old))
    result = CliRunner().invoke(main, ["profile", "KMC2432-001v4", "--format", "html",
                                       "--out", folder], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        kept + ["KMC2432-001v4-profile.html"])


def test_sweep_leaves_folders_and_other_names(tmp_path):
    (tmp_path / f".x.{dead_pid()}-abcdefgh.tmp").mkdir()  # a folder, whatever its name
    assert atomic.sweep(tmp_path) == []
    assert atomic.sweep(tmp_path / "missing") == []


# -- the first font cut ---------------------------------------------------------------------

def pdf_profile(out: Path):
    return CliRunner().invoke(main, ["profile", "KMC2432-001v4", "--format", "pdf",
                                     "--out", out], catch_exceptions=False)


def test_a_cached_font_says_nothing(tmp_path):
    result = pdf_profile(tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == f"{tmp_path / 'KMC2432-001v4-profile.pdf'}\n"


def test_the_first_font_cut_says_what_it_does(tmp_path, monkeypatch, font_cache):
    cached = {p.name.split(".")[1]: p.read_bytes()
              for p in (font_cache / "fonts").glob("NotoSansTC.*.ttf")}
    calls = []

    def cut(source, weight, style):  # the real cut takes 20–60 s: hand over the cached one
        calls.append(style)
        return cached[style]

    monkeypatch.setenv("KMC_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.setattr(fonts, "_instantiate", cut)
    result = pdf_profile(tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert calls == ["Regular", "Bold"]
    lines = result.stderr.splitlines()
    assert lines[0].startswith("首次使用：正在準備 PDF 字型 Noto Sans TC（Regular、Bold，約需 ")
    assert lines[0].endswith("秒，只需一次）…")
    assert lines[1].startswith("  Regular 完成（1/2，") and lines[2].startswith("  Bold 完成（2/2，")
    assert str(tmp_path / "empty-cache" / "fonts") in lines[2]
    assert len(lines) == 3
    assert result.stdout == f"{tmp_path / 'out' / 'KMC2432-001v4-profile.pdf'}\n"
    # the next run finds them cut: not a word
    second = pdf_profile(tmp_path / "out2")
    assert second.exit_code == 0 and second.stderr == "" and calls == ["Regular", "Bold"]


def test_the_library_alone_stays_silent(tmp_path, monkeypatch, capsys, font_cache):
    monkeypatch.setenv("KMC_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(fonts, "_instantiate", lambda source, weight, style: b"font")
    heard = []
    fonts.default_fonts()
    assert capsys.readouterr() == ("", "")
    for path in (tmp_path / "fonts").iterdir():
        path.unlink()
    fonts.default_fonts(heard.append)
    assert len(heard) == 3


# -- the handler, in process ----------------------------------------------------------------

def _group(body):
    import click

    from kmc_reports import cli

    @click.group(cls=cli._Group)
    def group():
        pass

    @group.command()
    def boom():
        body()

    return group


@posix_only
@pytest.mark.parametrize("swallowed", [False, True])
def test_a_signal_stops_the_command_even_when_a_library_swallows_it(swallowed):
    done = []

    def body():
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
            done.append("not interrupted")
        except BaseException:
            if not swallowed:
                raise
        done.append("went on")

    before = signal.getsignal(signal.SIGINT)
    result = CliRunner().invoke(_group(body), ["boom"], catch_exceptions=False)
    assert result.exit_code == 130
    assert result.stderr == INTERRUPTED + "\n"
    assert done == (["went on"] if swallowed else [])
    assert signal.getsignal(signal.SIGINT) is before  # pytest's own Ctrl-C handling is back


def test_ctrl_c_while_staged_files_are_written_waits_until_all_are(tmp_path, monkeypatch):
    """Old and new reports are never mixed: a signal during the commit is held until every
    staged file is written, then stops the command."""
    import os

    from kmc_reports import staging
    from kmc_reports.interrupt import Interrupted, handled

    written = []
    real = staging.write_bytes

    def slow_write(path, data):
        if not written:
            os.kill(os.getpid(), signal.SIGINT)  # arrives after the first file
        real(path, data)
        written.append(path)

    monkeypatch.setattr(staging, "write_bytes", slow_write)
    staged = staging.Staged()
    for n in range(5):
        staged.add(tmp_path / f"{n}.txt", b"new")
    with pytest.raises(Interrupted), handled():
        staged.commit()
    assert len(written) == 5 and all(p.read_bytes() == b"new" for p in written)
