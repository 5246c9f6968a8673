"""Start-up of an org command: what it costs to reach the first request, against the floor.

Two cases: a run that fails at login (``--instance-url`` without ``SF_ACCESS_TOKEN``: the error
comes before any client is loaded), and the org stack up to the first request (the command's
modules, a login with an access token, the HTTP session), which no fake can shortcut.

Run: python bench/bench_org_startup.py   (the interpreter running it and its installed sfupgrade)
"""

from __future__ import annotations

import compileall
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import paired_processes, report

REPO = Path(__file__).resolve().parents[1]
URL = "https://acme.my.salesforce.com"
FIRST_REQUEST = (
    "import sfupgrade.cli, sfupgrade.cli.upgrade, sfupgrade.jobs.upgrade, sfupgrade.org.records\n"
    "import sfupgrade.org.salesforce\n"
    "from sfupgrade.org.connect import connect\n"
    "from sfupgrade.org.options import OrgOptions\n"
    f"c = connect(OrgOptions(instance_url={URL!r}), environ={{'SF_ACCESS_TOKEN': 'x'}})\n"
    "c.session\n"
)


def main() -> None:
    compileall.compile_dir(REPO / "sfupgrade", quiet=1)
    os.environ.pop("SF_ACCESS_TOKEN", None)
    floor = [sys.executable, "-c", "import click, lxml.etree"]
    # Targets guard against regressions. Up to the first request, simple-salesforce (which
    # always imports zeep) costs about 200 ms over the hand-written client it replaced; a run
    # then spends seconds in round trips to the org.
    cases = {
        "upgrade --instance-url, no token (fails)": (
            [sys.executable, "-m", "sfupgrade", "upgrade", "--dry-run", "--instance-url", URL],
            3.0,
        ),
        "org stack up to the first request": ([sys.executable, "-c", FIRST_REQUEST], 8.0),
    }
    for name, (argv, target) in cases.items():
        paired = paired_processes(argv, floor, check=False)
        report(name, paired.ours, paired.floor, target, paired.ratio)


if __name__ == "__main__":
    main()
