"""The progress bar on org work: counts on a terminal's stderr, nothing elsewhere; stdout intact."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sfupgrade.cli import cli
from sfupgrade.core import progress
from sfupgrade.org.connect import OrgOptions, connect
from tests.fakeorg import URL, FakeOrg
from tests.fakeorg.cti import FLOW, add_cti_objects, flow
from tests.helpers import terminal_screen

LABEL = "Writing CTI records"


@pytest.fixture
def org(fake_org: FakeOrg) -> FakeOrg:
    add_cti_objects(fake_org)
    return fake_org


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stderr counts as a terminal, and the bar draws at once and on every record."""
    monkeypatch.setattr(progress, "_is_terminal", lambda _stream: True)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "INTERVAL", 0.0)


def deploy(tmp_path: Path, count: int, *args: str) -> Result:
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"flows": [flow(f"F{i:04d}") for i in range(count)]}))
    argv = ["deploy", "--records", str(path), "--instance-url", URL, "--format", "json", *args]
    return CliRunner().invoke(cli, argv)


def frames(stderr: str) -> list[str]:
    return [f.removesuffix("\x1b[K") for f in re.split(r"[\r\n]", stderr) if f.startswith(LABEL)]


def test_bar_counts_every_batch_up_to_the_total(org: FakeOrg, tmp_path, terminal) -> None:
    result = deploy(tmp_path, 450)
    assert result.exit_code == 0, result.output
    shown = frames(result.stderr)
    counts = [int(re.search(r"(\d+)/450$", f).group(1)) for f in shown]
    assert counts == sorted(counts) and counts[-1] == 450
    assert {200, 400, 450} <= set(counts)  # the end of each of the three batches
    assert shown[-1] == f"{LABEL} [{'#' * 30}] 450/450"
    assert result.stderr.endswith("450/450\x1b[K\n")
    report = json.loads(result.stdout)  # stdout is the report alone
    assert len(report["result"]["components"]) == 450
    assert LABEL not in result.stdout and "\r" not in result.stdout


def test_bar_counts_a_bulk_job(org: FakeOrg, tmp_path, terminal, monkeypatch) -> None:
    from sfupgrade.org import records

    monkeypatch.setattr(records, "BULK_THRESHOLD", 5)
    result = deploy(tmp_path, 12)
    assert result.exit_code == 0, result.output
    assert org.count("bulk_job") == 1
    assert frames(result.stderr)[-1].endswith(" 12/12")


def test_same_report_on_stdout_with_and_without_a_terminal(
    org: FakeOrg, tmp_path, monkeypatch
) -> None:
    plain = deploy(tmp_path, 3, "--dry-run")
    monkeypatch.setattr(progress, "_is_terminal", lambda _stream: True)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    on_tty = deploy(tmp_path, 3, "--dry-run")
    assert on_tty.stdout == plain.stdout and on_tty.stdout


def test_nothing_on_stderr_when_it_is_not_a_terminal(org: FakeOrg, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(progress, "DELAY", 0.0)
    result = deploy(tmp_path, 250)
    assert result.exit_code == 0, result.output
    assert LABEL not in result.stderr and "\r" not in result.stderr
    assert len(org.records(FLOW)) == 250


def test_quiet_silences_the_bar_even_on_a_terminal(org: FakeOrg, tmp_path, terminal) -> None:
    result = deploy(tmp_path, 250, "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stderr == "" and result.stdout == ""
    assert len(org.records(FLOW)) == 250


def test_upgrade_on_an_org_shows_the_bar_for_its_records(fake_org: FakeOrg, terminal) -> None:
    fake_org.add_value_set("AC_CtiScriptSource", [{"fullName": "voiceContact", "label": "Voice"}])
    add_cti_objects(fake_org)
    result = CliRunner().invoke(cli, ["upgrade", "--instance-url", URL, "--format", "json"])
    assert result.exit_code == 0, result.output
    total = sum(
        1
        for c in json.loads(result.stdout)["result"]["components"]
        if c["type"] != "GlobalValueSet"
    )
    assert frames(result.stderr)[-1].endswith(f" {total}/{total}")


def test_library_callers_choose_their_own_stream(org: FakeOrg, monkeypatch) -> None:
    """Without the CLI: any factory taking (total, label); none at all draws nothing."""
    from sfupgrade.org.mapping import load_mapping
    from sfupgrade.org.records import apply_records, plan_records

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    connection = connect(OrgOptions(instance_url=URL))
    changes = plan_records(connection, load_mapping(None), [flow("A"), flow("B")], [])
    bars: list[progress.Progress] = []

    def factory(total: int | None, label: str) -> progress.Progress:
        bars.append(progress.Progress(total, label, stream=stream, delay=0, interval=0))
        return bars[-1]

    applied = apply_records(connection, changes, factory)
    assert [str(c.state) for c in applied] == ["Created", "Created"]
    assert [(b.total, b.done) for b in bars] == [(2, 2)]
    assert stream.getvalue().endswith(f"{LABEL} [{'#' * 30}] 2/2\x1b[K\n")
    more = plan_records(connection, load_mapping(None), [flow("C")], [])
    assert [str(c.state) for c in apply_records(connection, more)] == ["Created"]
    assert len(org.records(FLOW)) == 3


def test_debug_lines_and_the_bar_share_a_terminal_without_mixing(
    org: FakeOrg, tmp_path, terminal
) -> None:
    """With -vv every request is logged while the bar is drawn; each log line stays whole."""
    result = deploy(tmp_path, 450, "-vv")
    assert result.exit_code == 0, result.output
    requests = [f for f in re.split(r"[\r\n]", result.stderr) if "composite/sobjects" in f]
    assert requests  # requests were logged while the bar was shown
    screen = terminal_screen(result.stderr)
    logged = [line for line in screen if "sfupgrade: " in line]
    assert len(logged) > 10
    assert all(line.startswith("sfupgrade: ") and LABEL not in line for line in logged)
    # Besides log lines, the screen holds only the bar's final counts, on a line of their own.
    others = [line for line in screen if not line.startswith("sfupgrade: ")]
    assert others == [f"{LABEL} [{'#' * 30}] 450/450", ""]
