"""The shared report options and emit_reports, through a small command that uses them."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sfupgrade.cli import cli
from sfupgrade.cli.options import (
    ReportOptions,
    decide_color,
    emit_reports,
    report_options,
    write_report_file,
)
from sfupgrade.report import render
from tests.report_plans import PLANS


@click.command("show-plan")
@click.argument("name", type=click.Choice(list(PLANS)))
@report_options
@click.pass_context
def show_plan(ctx: click.Context, name: str, report_options: ReportOptions) -> None:
    """Render one of the test plans as a real command would render its plan."""
    plan = PLANS[name]()
    emit_reports(plan, report_options)
    ctx.exit(report_options.exit_code(plan))


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    """Invoke ``sfupgrade show-plan ...`` under the real root group (its error handling)."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    cli.add_command(show_plan)

    def invoke(*args: str, env: dict[str, str] | None = None):
        return CliRunner().invoke(cli, ["show-plan", *args], env=env)

    yield invoke
    cli.commands.pop("show-plan")


def test_text_report_on_stdout_without_colour_when_not_a_terminal(run) -> None:
    result = run("value-set")
    assert result.exit_code == 0
    assert result.stdout == render(PLANS["value-set"](), "text")
    assert "\x1b[" not in result.stdout


@pytest.mark.parametrize("fmt", ["json", "JSON"])
def test_format_chooses_the_stdout_report(run, fmt: str) -> None:
    result = run("validation", "--format", fmt)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["status"] == 1


def test_reports_go_to_files_and_output_replaces_stdout(run, tmp_path: Path) -> None:
    out, sarif, md = tmp_path / "plan.json", tmp_path / "r.sarif", tmp_path / "summary.md"
    result = run(
        "validation",
        "--format=json",
        "--output",
        str(out),
        "--report",
        f"sarif={sarif}",
        "--report",
        f"markdown={md}",
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    plan = PLANS["validation"]()
    assert out.read_text(encoding="utf-8") == render(plan, "json")
    assert sarif.read_text(encoding="utf-8") == render(plan, "sarif")
    assert md.read_text(encoding="utf-8") == render(plan, "markdown")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json", "r.sarif", "summary.md"]


def test_quiet_silences_stdout_but_writes_files(run, tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    result = run("records", "--quiet", "--report", f"junit={report}")
    assert result.exit_code == 68
    assert result.stdout == ""
    assert report.read_text(encoding="utf-8").startswith("<?xml")


@pytest.mark.parametrize(
    ("args", "code"),
    [((), 0), (("--detailed-exitcode",), 3)],
)
def test_detailed_exitcode_reports_pending_changes(run, args: tuple[str, ...], code: int) -> None:
    result = run("value-set", "--format", "json", *args)
    assert result.exit_code == code
    assert json.loads(result.stdout)["status"] == code


@pytest.mark.parametrize("value", ["sarif", "yaml=x.yaml", "json=", "json=-", "=x"])
def test_malformed_report_option_is_a_usage_error(run, value: str) -> None:
    result = run("clean", "--report", value)
    assert result.exit_code == 2
    assert "is not FORMAT=PATH with FORMAT one of text, json, markdown, junit, sarif" in (
        result.stderr
    )


def test_two_reports_into_one_file_are_refused(run, tmp_path: Path) -> None:
    path = tmp_path / "same"
    result = run("clean", "--output", str(path), "--report", f"json={path}")
    assert result.exit_code == 2
    assert f"{path}: both the text and the json report would be written there" in result.stderr
    assert not path.exists()


def test_unwritable_report_is_refused_before_any_work(run, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir" / "r.json"
    result = run("clean", "--report", f"json={missing}")
    assert result.exit_code == 2
    assert (
        f"{missing}: cannot write the json report there: {missing.parent} is not a writable "
        "directory; create it or choose another path"
    ) in result.stderr
    assert result.stdout == ""


def test_report_that_fails_while_writing_is_one_line_and_exit_1(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sfupgrade.cli import options

    def full(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(options, "replace_file", full)
    target = tmp_path / "r.json"
    result = run("clean", "--report", f"json={target}")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {target}: cannot write the json report (No space left on device); "
        "check that the directory exists and is writable\n"
    )


def test_github_annotations_follow_a_text_report_on_stdout(run) -> None:
    result = run("validation", env={"GITHUB_ACTIONS": "true"})
    expected = render(PLANS["validation"](), "text") + render(PLANS["validation"](), "github")
    assert result.stdout == expected
    assert result.stdout.count("::error file=cti-flows/Create Callback Task.json,line=41") == 1


def test_github_annotations_go_to_stderr_next_to_a_json_report(run) -> None:
    result = run("validation", "--format", "json", env={"GITHUB_ACTIONS": "true"})
    json.loads(result.stdout)  # still pure JSON
    assert result.stderr.startswith("::error file=cti-flows/")
    assert "::warning file=cti-actions/" in result.stderr


def test_no_annotations_outside_github_actions(run) -> None:
    result = run("validation", "--format", "json", env={"GITHUB_ACTIONS": "false"})
    assert "::" not in result.stderr


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("no_color", "output", "environ", "stream", "expected"),
    [
        (False, None, {}, _Tty(), True),
        (True, None, {}, _Tty(), False),
        (False, Path("r.txt"), {}, _Tty(), False),
        (False, None, {"NO_COLOR": "1"}, _Tty(), False),
        (False, None, {"NO_COLOR": ""}, _Tty(), True),  # empty means unset (no-color.org)
        (False, None, {"TERM": "dumb"}, _Tty(), False),
        (False, None, {}, io.StringIO(), False),
    ],
)
def test_colour_decision(no_color, output, environ, stream, expected) -> None:
    assert decide_color(no_color, output, environ, stream) is expected


def test_emit_reports_colours_text_when_the_options_say_so(capsys) -> None:
    emit_reports(PLANS["value-set"](), ReportOptions(color=True), environ={})
    assert "\x1b[32m+    <customValue>" in capsys.readouterr().out


def test_report_file_is_replaced_whole_and_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text("old report that is longer than the new one\n", encoding="utf-8")
    path.chmod(0o640)
    write_report_file(path, "new\n", "markdown")
    assert path.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]  # no temporary file left


def test_new_report_file_gets_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_report_file(tmp_path / "r.json", "{}\n", "json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o640


def test_special_files_are_written_in_place(tmp_path: Path) -> None:
    """/dev/stdout or a FIFO must be written to, not replaced by a rename."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_report_file(fifo, "through the pipe\n", "text")
        assert os.read(reader, 100) == b"through the pipe\n"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_command_options_below_the_decorator_still_reach_the_command() -> None:
    @click.command()
    @click.argument("path", required=False)
    @report_options
    @click.option("--dry-run", is_flag=True)
    def upgrade_like(path: str | None, dry_run: bool, report_options: ReportOptions) -> None:
        click.echo(f"{path} {dry_run} {report_options.format} {report_options.verbose}")

    result = CliRunner().invoke(upgrade_like, ["proj", "--dry-run", "--format", "sarif", "-vv"])
    assert result.output == "proj True sarif 2\n"
