"""``pull`` as a library call: an org's CTI flows and actions into files, in the content layout.

What it writes is what ``validate`` and ``deploy`` read (``metadata/README.md``):
``ctiFlows/<stem>.json`` (the flow's definition field, byte for byte),
``ctiFlows/<stem>.ctiFlow.json`` (its record sidecar) and
``ctiActions/<stem>.ctiAction.json``, so deploying the pulled folder to
the same org plans no writes. An action's form is written as the loader reads it (its defaults
spelled out), since that is what a deploy compares with the org.

File names come from record names (:mod:`sfupgrade.org.filenames`). A record that already has a
file in the folder keeps it: the local sidecar or action file holding its name is rewritten in
place, and a sidecar's ``definition`` names the graph file whenever it is not the default.

Records that cannot be files as they stand (a definition that is not a flow graph, a name held
twice, an action whose flow is not pulled, values the schemas refuse) are skipped and reported;
nothing the org holds is written outside the folder. Reads the org only.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sfupgrade.core.errors import FailureError, UsageError
from sfupgrade.cti.discover import (
    ACTION_SUFFIX,
    ACTIONS_DIR,
    FLOWS_DIR,
    RECORD_SUFFIX,
    skipped,  # the folders validate never reads, so a pull never looks there either
)
from sfupgrade.cti.load import is_graph
from sfupgrade.cti.schema import check
from sfupgrade.files.atomic import write_files
from sfupgrade.files.jsonio import JsonInputError, loads_strict, read_bytes_bounded
from sfupgrade.model.value import Value, field
from sfupgrade.model.writes import FileWrite
from sfupgrade.org.filenames import assign_stems
from sfupgrade.org.mapping import check_mapping
from sfupgrade.org.records import existing_records, loaded_action

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.org.connect import OrgConnection
    from sfupgrade.org.mapping import Mapping
    from sfupgrade.org.port import OrgPort

_LOCAL_LIMIT = 1 << 20  # a local sidecar or action file larger than this is not one

NEW, UPDATED, UNCHANGED, DIFFERS = "new", "updated", "unchanged", "differs"


class PullConflictError(FailureError):
    """Local files differ from the org and --force was not given; nothing was written."""


class PullTargetError(UsageError):
    """The folder cannot take the files (a path leads outside it, or is not a regular file)."""


class PulledFile(Value):
    """One file of the pull: where (relative to the folder), its bytes, how it compares."""

    path: str  # POSIX, relative to the folder
    data: bytes
    state: str  # NEW | UNCHANGED | DIFFERS
    local: bytes | None = None  # the local bytes, when the file exists


class PullPlan(Value, frozen=False):
    root: Path
    host: str
    files: list[PulledFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line per record not pulled
    flows: int = 0
    actions: int = 0

    def of(self, state: str) -> list[PulledFile]:
        return [f for f in self.files if f.state == state]


# -- what the folder holds -----------------------------------------------------------------


class _Local(Value):
    """The files already in the folder for each record name."""

    flows: dict[str, tuple[str, str]]  # name -> (sidecar, graph), relative POSIX paths
    actions: dict[str, str]  # name -> action file


def _inside(root: Path, relative: str) -> bool:
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, relative))
    return os.path.commonpath([real_root, real]) == real_root


def _read_small(path: str) -> Any:
    try:
        data = read_bytes_bounded(path, _LOCAL_LIMIT)
        return loads_strict(data.decode("utf-8-sig"), path)
    except (UnicodeDecodeError, JsonInputError):
        return None


def _scan(root: Path) -> _Local:
    """Sidecars and action files under ``root`` by the name they hold; unreadable ones and
    names held twice are left out (the record then gets a new file of its own)."""
    flows: dict[str, tuple[str, str] | None] = {}
    actions: dict[str, str | None] = {}
    if not root.is_dir():
        return _Local({}, {})
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not skipped(d, folder))
        for file in sorted(files):
            if not (file.endswith(RECORD_SUFFIX) or file.endswith(ACTION_SUFFIX)):
                continue
            path = os.path.join(folder, file)
            relative = Path(os.path.relpath(path, root)).as_posix()
            data = _read_small(path)
            if not isinstance(data, dict) or not isinstance(data.get("name"), str):
                continue
            name = data["name"]
            if file.endswith(ACTION_SUFFIX):
                actions[name] = None if name in actions else relative
                continue
            default = relative[: -len(RECORD_SUFFIX)] + ".json"
            graph = data.get("definition")
            graph_path = default
            if isinstance(graph, str) and graph and "\0" not in graph:
                named = os.path.normpath((Path(relative).parent / graph).as_posix())
                if _inside(root, named):
                    graph_path = named.replace(os.sep, "/")
            flows[name] = None if name in flows else (relative, graph_path)
    return _Local(
        {n: p for n, p in flows.items() if p is not None},
        {n: p for n, p in actions.items() if p is not None},
    )


# -- from org rows to file contents ----------------------------------------------------------


def _json_bytes(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _shown(text: Any) -> str:
    """An org value in a message: escaped and cut, so no terminal sees it raw."""
    text = str(text)
    return json.dumps(text if len(text) <= 80 else text[:77] + "...")


def _flow_files(name: str, row: dict[str, Any], om: Any) -> tuple[dict[str, Any], bytes]:
    """The sidecar's fields and the graph's bytes; ValueError says why the flow cannot be."""
    definition = row.get(om.field("definition"))
    if not isinstance(definition, str) or not definition.strip():
        raise ValueError("it has no definition")
    try:
        graph = loads_strict(definition, "definition")
    except JsonInputError as exc:
        where, _, detail = str(exc).partition(": invalid JSON: ")
        at = where.removeprefix("definition").strip(":").replace(":", ", column ")
        detail = detail.removesuffix("; fix the file and rerun")
        where = f"line {at}: " if at else ""
        raise ValueError(f"its definition is not JSON ({where}{detail})") from None
    if not is_graph(graph):
        raise ValueError('its definition is not a CTI flow graph ({"actions": [...]})')
    sidecar: dict[str, Any] = {"name": name, "source": row.get(om.field("source"))}
    for model_field in ("event", "active", "description"):
        value = row.get(om.field(model_field))
        if value is not None or model_field == "event":
            sidecar[model_field] = value
    problem = check(sidecar, "ctiFlow.schema.json")
    if problem:
        raise ValueError(f"its record does not fit a sidecar: {problem}")
    return sidecar, _encoded(definition)


def _encoded(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("it holds text that is not valid Unicode") from None


def _parsed(value: Any, what: str) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"its {what} is not text")
    try:
        return loads_strict(value, what)
    except JsonInputError:
        raise ValueError(f"its {what} is not JSON") from None


def _action_data(name: str, flow: str, row: dict[str, Any], om: Any) -> dict[str, Any]:
    """The action file's fields, as the loader will read them back."""
    raw: dict[str, Any] = {"name": name, "flow": flow}
    order = row.get(om.field("order"))
    if order is not None:
        if not isinstance(order, int | float) or isinstance(order, bool) or order != int(order):
            raise ValueError(f"its order {_shown(order)} is not a whole number")
        raw["order"] = int(order)
    payload = _parsed(row.get(om.field("payload")), "payload")
    if payload is not None:
        raw["payload"] = payload
    form = _parsed(row.get(om.field("form")), "form")
    if form is not None:
        raw["form"] = form
    try:
        data = loaded_action(raw)
    except ValueError as exc:
        raise ValueError(f"it does not fit an action file: {exc}") from None
    if data["form"] is None:
        del data["form"]
    return data


# -- planning -------------------------------------------------------------------------------


def _unique(
    rows_by_name: dict[Any, list[dict[str, Any]]], kind: str, skipped: list[str]
) -> dict[str, dict[str, Any]]:
    kept = {}
    for name, rows in rows_by_name.items():
        if not isinstance(name, str) or not name.strip():
            skipped.extend(f"{kind} {r.get('Id')}: it has no name" for r in rows)
        elif len(rows) > 1:
            skipped.append(f"{kind} {_shown(name)}: {len(rows)} records hold this name")
        else:
            kept[name] = rows[0]
    return kept


def plan_pull(org: OrgPort | OrgConnection, mapping: Mapping, root: Path) -> PullPlan:
    """Read the org's flows and actions and compare them with the folder; writes nothing."""
    from sfupgrade.org.port import as_port

    if root.exists() and not root.is_dir():
        raise PullTargetError(f"{root}: not a folder; give the folder to pull into")
    port = as_port(org)
    check_mapping(port, mapping)
    plan = PullPlan(root, port.host)
    org_flows = _unique(existing_records(port, mapping.flow), "flow", plan.skipped)
    org_actions = _unique(existing_records(port, mapping.action), "action", plan.skipped)
    flows = _flows(org_flows, mapping, plan.skipped)
    flow_names = {row["Id"]: name for name, row in org_flows.items() if name in flows}
    actions = _actions(org_actions, flow_names, mapping, plan.skipped)
    wanted = _lay_out(plan, _scan(root), flows, actions)
    plan.files = [_compare(root, path, data) for path, data in sorted(wanted.items())]
    return plan


def _flows(
    rows: dict[str, dict[str, Any]], mapping: Mapping, skipped: list[str]
) -> dict[str, tuple[dict[str, Any], bytes]]:
    """Each flow's sidecar fields and graph bytes, by name; what cannot be one is skipped."""
    flows = {}
    for name, row in sorted(rows.items()):
        try:
            flows[name] = _flow_files(name, row, mapping.flow)
        except ValueError as exc:
            skipped.append(f"flow {_shown(name)}: {exc}; not pulled")
    return flows


def _actions(
    rows: dict[str, dict[str, Any]],
    flow_names: dict[str, str],
    mapping: Mapping,
    skipped: list[str],
) -> dict[str, dict[str, Any]]:
    """Each action file's fields, by name; an action whose flow is not pulled is skipped."""
    actions = {}
    lookup = mapping.action.field("flow")
    for name, row in sorted(rows.items()):
        flow_id = row.get(lookup)
        flow = flow_names.get(flow_id) if isinstance(flow_id, str) else None
        try:
            if flow is None:
                raise ValueError("its flow lookup is empty or names no flow that is pulled")
            actions[name] = _action_data(name, flow, row, mapping.action)
        except ValueError as exc:
            skipped.append(f"action {_shown(name)}: {exc}; not pulled")
    return actions


def _lay_out(
    plan: PullPlan,
    local: _Local,
    flows: dict[str, tuple[dict[str, Any], bytes]],
    actions: dict[str, dict[str, Any]],
) -> dict[str, bytes]:
    """Every file's relative path and bytes: a record's own local file, else a new name."""
    claimed_flows = {Path(s).name[: -len(RECORD_SUFFIX)] for s, _ in local.flows.values()}
    claimed_flows |= {Path(g).name[: -len(".json")] for _, g in local.flows.values()}
    claimed_actions = {Path(a).name[: -len(ACTION_SUFFIX)] for a in local.actions.values()}
    flow_stems = assign_stems([n for n in flows if n not in local.flows], claimed_flows)
    action_stems = assign_stems([n for n in actions if n not in local.actions], claimed_actions)
    wanted: dict[str, bytes] = {}

    def add(kind: str, name: str, files: dict[str, bytes | dict[str, Any]]) -> bool:
        taken = [path for path in files if path in wanted]
        try:
            if taken:
                raise ValueError(f"its file {taken[0]} is another record's")
            encoded = {p: d if isinstance(d, bytes) else _json_bytes(d) for p, d in files.items()}
        except (ValueError, UnicodeEncodeError) as exc:
            why = exc if isinstance(exc, ValueError) else "it holds text that is not valid Unicode"
            plan.skipped.append(f"{kind} {_shown(name)}: {why}; not pulled")
            return False
        wanted.update(encoded)
        return True

    for name, (sidecar, graph) in flows.items():
        sidecar_path, graph_path = local.flows.get(name) or (
            f"{FLOWS_DIR}/{flow_stems[name]}{RECORD_SUFFIX}",
            f"{FLOWS_DIR}/{flow_stems[name]}.json",
        )
        if graph_path != sidecar_path[: -len(RECORD_SUFFIX)] + ".json":
            folder = Path(sidecar_path).parent.as_posix()
            sidecar = sidecar | {"definition": posixpath.relpath(graph_path, folder)}
        plan.flows += add("flow", name, {sidecar_path: sidecar, graph_path: graph})
    for name, data in actions.items():
        path = local.actions.get(name) or f"{ACTIONS_DIR}/{action_stems[name]}{ACTION_SUFFIX}"
        plan.actions += add("action", name, {path: data})
    return wanted


def _compare(root: Path, relative: str, data: bytes) -> PulledFile:
    if not _inside(root, relative):
        raise PullTargetError(
            f"{root / relative}: leads outside {root} (a symbolic link?); nothing written"
        )
    path = root / relative
    if not os.path.lexists(path):
        return PulledFile(relative, data, NEW)
    if not path.is_file():
        raise PullTargetError(f"{path}: exists and is not a regular file; move it away and rerun")
    local = read_bytes_bounded(path, error=PullTargetError)
    record_file = relative.endswith((RECORD_SUFFIX, ACTION_SUFFIX))
    if local == data or (record_file and _same_json(local, data)):
        return PulledFile(relative, data, UNCHANGED, local)
    return PulledFile(relative, data, DIFFERS, local)


def _same_json(local: bytes, data: bytes) -> bool:
    """A record file that reads as the same JSON is left as the user formatted it."""
    try:
        return bool(loads_strict(local.decode("utf-8-sig"), "local") == json.loads(data))
    except (UnicodeDecodeError, JsonInputError):
        return False


# -- writing --------------------------------------------------------------------------------


def apply_pull(plan: PullPlan, force: bool = False) -> list[PulledFile]:
    """Write the new files (and with ``force`` the differing ones) all or none; what was
    written, each with its state (NEW or UPDATED). Without ``force``, a differing file stops
    the run before anything is written."""
    differs = plan.of(DIFFERS)
    if differs and not force:
        names = ", ".join(f.path for f in differs[:10])
        more = f" and {len(differs) - 10} more" if len(differs) > 10 else ""
        raise PullConflictError(
            f"{len(differs)} local file(s) in {plan.root} differ from the org: {names}{more}; "
            "nothing written; commit or move your changes, or pass --force to overwrite them"
        )
    todo = [f for f in plan.files if f.state in (NEW, DIFFERS)]
    created: list[Path] = []
    try:
        for folder in sorted({(plan.root / f.path).parent for f in todo}):
            for parent in [*reversed(folder.parents), folder]:
                if not parent.exists():
                    parent.mkdir()
                    created.append(parent)
        write_files([FileWrite(plan.root / f.path, f.local, f.data) for f in todo])
    except BaseException:
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return [PulledFile(f.path, f.data, NEW if f.state == NEW else UPDATED) for f in todo]
