"""Where one org keeps CTI flows and actions, read from its describe: a mapping file to start from.

The CTI Adapter's API names are not public and the bundled defaults are guesses, so instead of
asking users to read Setup's Object Manager, ``sfupgrade mapping discover`` reads the global
describe, then the describe of each candidate sObject, and places every model field
(:data:`sfupgrade.org.mapping.FLOW_FIELDS`, ``ACTION_FIELDS``; the one list of them):

1. by API name: the bundled default's name, with its namespace, another namespace or none
   (``amazonconnect__Source__c``, ``acme__Source__c``, ``Source__c``) -- **found**;
2. by label (``Source``, ``CTI Flow``, ...), or for the action's flow lookup, the one lookup to
   the flow object, or else the one field whose label or API name contains the default's word
   (``Script``, ``Order``: ``Event Type``, ``Flow_Script__c``) -- **guessed**: the name exists,
   but whether it means what we think is a guess to check;
3. otherwise **missing**, with the likeliest candidates; the bundled default stays in its place
   so the file still loads, and the describe check before a deploy names it.

Only fields of a fitting type are considered (a checkbox for ``active``, a number for ``order``,
a lookup to the flow object for the action's ``flow``). Reads only; writes nothing.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any

from sfupgrade.model.value import Value
from sfupgrade.org.mapping import ACTION_FIELDS, FLOW_FIELDS, load_mapping

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.org.connect import OrgConnection
    from sfupgrade.org.mapping import ObjectMapping
    from sfupgrade.org.port import OrgPort

FOUND, GUESSED, MISSING = "found", "guessed", "missing"
OBJECT = "object"  # the placement of the sObject itself, next to its fields
_MAX_CANDIDATES = 5
# What an sObject API name can be; anything else is never put into a URL.
_API_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,79}\Z")

# Labels an admin would recognise for each model field (compared without case, spaces or
# punctuation). Keys: "object" and exactly the model's fields (a test holds them to the lists).
LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "flow": {
        OBJECT: ("CTI Flow", "AC CTI Script", "CTI Script", "CTI Flows", "AC CTI Scripts"),
        "name": ("Name", "CTI Flow Name", "Flow Name", "Script Name"),
        "source": ("Source", "CTI Script Source", "Script Source"),
        "event": ("Event", "Events"),
        "active": ("Active", "Is Active", "Enabled"),
        "description": ("Description",),
        "definition": ("Script", "Definition", "Flow", "Flow JSON", "Script JSON", "Flow Body"),
    },
    "action": {
        OBJECT: ("CTI Action", "AC CTI Action", "CTI Actions", "AC CTI Actions"),
        "name": ("Name", "CTI Action Name", "Action Name"),
        "flow": ("CTI Flow", "CTI Script", "Flow", "Script"),
        "order": ("Order", "Sort Order", "Position"),
        "payload": ("Payload", "Hardcoded Payload"),
        "form": ("Form", "Form Definition", "Form JSON"),
    },
}
MODEL_FIELDS = {"flow": FLOW_FIELDS, "action": ACTION_FIELDS}

_TEXT = frozenset({"string", "textarea", "picklist", "combobox", "url", "email", "phone"})
_TYPES: dict[str, frozenset[str]] = {
    "active": frozenset({"boolean"}),
    "order": frozenset({"double", "int", "long", "currency", "percent"}),
    "flow": frozenset({"reference"}),
    "definition": frozenset({"textarea", "string"}),
    "payload": frozenset({"textarea", "string"}),
    "form": frozenset({"textarea", "string"}),
}


class Placement(Value):
    """Where one model field (or, with ``field`` :data:`OBJECT`, the sObject) went, and why."""

    kind: str  # "flow" | "action"
    field: str
    api_name: str
    status: str  # FOUND | GUESSED | MISSING
    by: str  # how: "API name", "label 'Source'", "lookup to X", or why nothing fits
    candidates: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The mapping file's key for it: ``flow.object``, ``action.fields.order``."""
        return (
            f"{self.kind}.{self.field}"
            if self.field == OBJECT
            else (f"{self.kind}.fields.{self.field}")
        )

    def note(self) -> str:
        """``found: API name``, ``guessed: label 'Flow'``, ``missing: ...; candidates: A, B``."""
        note = f"{self.status}: {self.by}"
        if self.candidates:
            label = "candidates" if self.status == MISSING else "also possible"
            note += f"; {label}: {', '.join(self.candidates)}"
        return note


class Discovery(Value):
    """Every placement for one org, in model order."""

    host: str
    placements: tuple[Placement, ...]

    @property
    def complete(self) -> bool:
        """Every object and field has a name that exists in the org (found or guessed)."""
        return all(p.status != MISSING for p in self.placements)

    def of(self, kind: str) -> list[Placement]:
        return [p for p in self.placements if p.kind == kind]

    def document(self) -> dict[str, Any]:
        """The mapping file: what :func:`sfupgrade.org.mapping.load_mapping` reads, plus notes
        (``<kind>.notes``), which the loader ignores by design."""
        doc: dict[str, Any] = {
            "_about": (
                f"Written by `sfupgrade mapping discover` from the describe of {self.host}. "
                "Pass it with --mapping FILE. Each kind's 'notes' say how every name was "
                "placed: 'found' by its API name, 'guessed' by its label or type (check it in "
                "Setup > Object Manager), 'missing' when nothing fits (the bundled default is "
                "kept in place and the likeliest candidates are listed; put the right name in "
                "'fields')."
            ),
            "verified": all(p.status == FOUND for p in self.placements),
        }
        for kind in MODEL_FIELDS:
            placed = {p.field: p for p in self.of(kind)}
            doc[kind] = {
                "object": placed[OBJECT].api_name,
                "fields": {f: placed[f].api_name for f in MODEL_FIELDS[kind]},
                "notes": {name: p.note() for name, p in placed.items()},
            }
        return doc


# -- names ---------------------------------------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def base_name(api_name: str) -> str:
    """An API name without its namespace: ``amazonconnect__Source__c`` -> ``Source__c``."""
    if api_name.count("__") >= 2:
        return api_name.split("__", 1)[1]
    return api_name


def namespace(api_name: str) -> str:
    return api_name.split("__", 1)[0] if api_name.count("__") >= 2 else ""


def _by_api_name(default: str, names: list[str], prefer: tuple[str, ...]) -> list[str]:
    """Names equal to ``default`` up to the namespace, best first: the default itself, then the
    preferred namespaces in order, then any other."""
    base = base_name(default).lower()
    same = [n for n in names if base_name(n).lower() == base]

    def rank(name: str) -> tuple[int, str]:
        if name == default:
            return (0, name)
        ns = namespace(name)
        return (1 + prefer.index(ns) if ns in prefer else 1 + len(prefer), name)

    return sorted(same, key=rank)


def _by_label(labels: tuple[str, ...], entries: dict[str, str]) -> list[str]:
    """Names whose label reads as one of ``labels``, in the order of ``labels``."""
    wanted = [_squash(label) for label in labels]
    hits = [
        (wanted.index(_squash(lab)), name)
        for name, lab in entries.items()
        if _squash(lab) in wanted
    ]
    return [name for _, name in sorted(hits)]


def _words(model_field: str, default: str) -> tuple[str, ...]:
    """What a field's label or API name may contain to be taken for ``model_field``: its
    default's base name and the one-word labels it is known by (``script``, ``order``)."""
    base = _squash(base_name(default).removesuffix("__c"))
    return tuple(dict.fromkeys([base, model_field]))


def _by_word(
    words: tuple[str, ...], names: list[str], fields: dict[str, dict[str, Any]]
) -> tuple[str, str] | None:
    """The first of ``names`` whose label, else API name, contains one of ``words``; only a
    single such field counts (two would be a coin toss)."""
    for word in words:
        for what in ("label", "name"):
            hits = [n for n in names if word in _squash(str(fields[n].get(what) or ""))]
            if len(hits) == 1:
                return hits[0], f"{what} {fields[hits[0]].get(what)!r} contains {word!r}"
    return None


def _close(target: str, names: list[str]) -> tuple[str, ...]:
    close = difflib.get_close_matches(
        base_name(target), [base_name(n) for n in names], n=_MAX_CANDIDATES, cutoff=0.4
    )
    picked = [n for c in close for n in names if base_name(n) == c]
    rest = [n for n in names if n not in picked]
    return tuple(dict.fromkeys([*picked, *rest]))[:_MAX_CANDIDATES]


# -- objects -------------------------------------------------------------------------------


def _global_objects(org: OrgPort) -> dict[str, str]:
    """Every sObject the org lists whose name can be one, name -> label."""
    return {name: label for name, label in org.sobjects().items() if _API_NAME.match(name)}


def _object_candidates(
    kind: str, default: str, objects: dict[str, str]
) -> list[tuple[str, str, str]]:
    """(name, status, by) for each object that may hold ``kind``, best first."""
    prefer = (namespace(default), "")
    found = [(n, FOUND, "API name") for n in _by_api_name(default, list(objects), prefer)]
    taken = {n for n, _, _ in found}
    guessed = [
        (n, GUESSED, f"label {objects[n]!r}")
        for n in _by_label(LABELS[kind][OBJECT], objects)
        if n not in taken
    ]
    return found + guessed


# -- fields --------------------------------------------------------------------------------


def _fits(model_field: str, described: dict[str, Any], flow_object: str | None) -> bool:
    kind = described.get("type")
    if model_field == "flow":
        return kind == "reference" and (
            flow_object is None or flow_object in (described.get("referenceTo") or [])
        )
    return kind in _TYPES.get(model_field, _TEXT)


def _place_fields(
    kind: str,
    om: ObjectMapping,
    sobject: str,
    fields: dict[str, dict[str, Any]],
    flow_object: str | None,
) -> list[Placement]:
    """Each model field of one object: API names first for all, then labels, then type."""
    placed: dict[str, Placement] = {}
    used: set[str] = set()
    prefer = (namespace(sobject), namespace(om.object), "")
    fitting = {f: [n for n, d in fields.items() if _fits(f, d, flow_object)] for f, _ in om.fields}
    for model_field, default in om.fields:
        hits = [n for n in _by_api_name(default, fitting[model_field], prefer) if n not in used]
        if hits:
            placed[model_field] = Placement(
                kind, model_field, hits[0], FOUND, "API name", tuple(hits[1:])
            )
            used.add(hits[0])
    for model_field, _ in om.fields:
        if model_field in placed:
            continue
        free = [n for n in fitting[model_field] if n not in used]
        labels = {n: str(fields[n].get("label") or "") for n in free}
        hits = _by_label(LABELS[kind][model_field], labels)
        if hits:
            by = f"label {labels[hits[0]]!r}"
        elif model_field == "flow" and len(free) == 1:
            hits, by = free, f"the only lookup to {flow_object}"
        else:
            continue
        placed[model_field] = Placement(kind, model_field, hits[0], GUESSED, by, tuple(hits[1:]))
        used.add(hits[0])
    for model_field, default in om.fields:
        if model_field in placed:
            continue
        free = [n for n in fitting[model_field] if n not in used]
        hit = _by_word(_words(model_field, default), free, fields)
        if hit:
            placed[model_field] = Placement(kind, model_field, hit[0], GUESSED, hit[1])
            used.add(hit[0])
    for model_field, default in om.fields:
        if model_field not in placed:
            free = [n for n in fitting[model_field] if n not in used]
            what = f"a lookup to {flow_object}" if model_field == "flow" else "field"
            placed[model_field] = Placement(
                kind,
                model_field,
                default,
                MISSING,
                f"no {what} of a fitting type matches by API name or label",
                _close(default, free),
            )
    return [placed[f] for f, _ in om.fields]


def _missing_object(kind: str, om: ObjectMapping, objects: dict[str, str]) -> list[Placement]:
    custom = [n for n in objects if n.endswith("__c")]
    head = Placement(
        kind,
        OBJECT,
        om.object,
        MISSING,
        "no sObject matches by API name or label; is the CTI Adapter installed?",
        _close(om.object, custom),
    )
    rest = [
        Placement(kind, f, api, MISSING, f"its object {om.object} is not in the org")
        for f, api in om.fields
    ]
    return [head, *rest]


def _discover_kind(
    org: OrgPort,
    kind: str,
    om: ObjectMapping,
    objects: dict[str, str],
    flow_object: str | None,
) -> list[Placement]:
    """The best object for ``kind`` (by API name before label, then the most fields placed,
    then found) and its fields."""
    best: tuple[tuple[int, int, int, int], list[Placement]] | None = None
    candidates = _object_candidates(kind, om.object, objects)[:_MAX_CANDIDATES]
    for rank, (name, status, by) in enumerate(candidates):
        fields = org.describe(name)
        if not fields:
            continue
        placed = _place_fields(kind, om, name, fields, flow_object)
        score = (
            0 if status == FOUND else 1,
            sum(p.status == MISSING for p in placed),
            sum(p.status != FOUND for p in placed),
            rank,
        )
        if best is None or score < best[0]:
            others = tuple(n for n, _, _ in candidates if n != name)
            head = Placement(kind, OBJECT, name, status, by, others)
            best = (score, [head, *placed])
    return best[1] if best else _missing_object(kind, om, objects)


def discover_mapping(org: OrgPort | OrgConnection) -> Discovery:
    """Read the org's describe and place every model field; reads only."""
    from sfupgrade.org.port import as_port

    port = as_port(org)
    defaults = load_mapping(None)
    objects = _global_objects(port)
    flows = _discover_kind(port, "flow", defaults.flow, objects, None)
    flow_object = flows[0].api_name if flows[0].status != MISSING else defaults.flow.object
    actions = _discover_kind(port, "action", defaults.action, objects, flow_object)
    return Discovery(port.host, tuple(flows + actions))
