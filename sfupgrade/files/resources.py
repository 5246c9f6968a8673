"""Where the bundled release content and example project are.

An installed wheel carries them inside the package (``sfupgrade/_bundled/``, see pyproject's
force-include); a source checkout or editable install has them at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

# The package's own folder (this module is in sfupgrade/files/). Not importlib.resources:
# sfupgrade is always installed as files (its bundled content is read as folders), and that
# module costs every command's start-up a fifth of its imports (tempfile, shutil, zipfile, bz2,
# lzma).
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _bundled(name: str) -> Path:
    package_dir = PACKAGE_DIR
    inside = package_dir / "_bundled" / name
    if inside.is_dir():
        return inside
    return package_dir.parent / name


def release_dir() -> Path:
    """The release content: the value set, CTI flows and CTI actions the release ships."""
    return _bundled("metadata")


def example_project_dir() -> Path:
    """An org's metadata from before the release, the default target of ``sfupgrade upgrade``."""
    return _bundled("examples") / "pre-release-org"
