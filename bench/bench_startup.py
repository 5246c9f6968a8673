"""Start-up of local commands against the floor `python -c "import click, lxml.etree"`.

Run: python bench/bench_startup.py   (uses the interpreter running it and its installed sfupgrade)

Each command runs as users run it: the ``sfupgrade`` script the installer wrote next to the
interpreter, which imports ``sfupgrade.cli`` and calls ``main`` (``python -m sfupgrade`` would
add runpy's own imports and lookup, some 10 ms that no installed command pays).
"""

from __future__ import annotations

import compileall
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import paired_processes, report

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    # pip compiles an installed package's bytecode; a checkout run with PYTHONDONTWRITEBYTECODE
    # would otherwise compile every module on every start and measure the compiler instead.
    compileall.compile_dir(REPO / "sfupgrade", quiet=1)
    floor = [sys.executable, "-c", "import click, lxml.etree"]
    cases = {
        "sfupgrade --version": ["--version"],
        "sfupgrade upgrade --dry-run (bundled example)": ["upgrade", "--dry-run", "--example"],
        "sfupgrade picklist add --dry-run (example)": [
            "picklist",
            "add",
            "--dry-run",
            str(REPO / "examples" / "pre-release-org"),
        ],
    }
    validate = REPO / "sfupgrade" / "cli" / "validate.py"
    if validate.exists():
        cases["sfupgrade validate (release content)"] = ["validate", "--release"]
    script = Path(sys.executable).with_name("sfupgrade")
    command = (
        [sys.executable, str(script)] if script.is_file() else [sys.executable, "-m", "sfupgrade"]
    )
    for name, args in cases.items():
        paired = paired_processes([*command, *args], floor)
        report(name, paired.ours, paired.floor, 1.5, paired.ratio)


if __name__ == "__main__":
    main()
