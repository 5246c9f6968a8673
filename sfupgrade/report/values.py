"""Record field values as data (JSON) and as one-line text, the same way in every format."""

from __future__ import annotations

import json
import math
from typing import Any


def jsonable(value: Any) -> Any:
    """``value`` as strict JSON data: unknown types become their text, NaN/Infinity text too.

    Field values come from records (strings, numbers, booleans, nested JSON); anything else is
    shown as text rather than failing the whole report.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


# A flow definition is kilobytes of JSON: people reading a report need to see that it changes
# and whether two runs agree, not every byte of it (the JSON report keeps the whole value).
SHOW_LIMIT = 160


def show(value: Any) -> str:
    """A field value on one line, quoted like JSON so that "" and null are told apart.

    Long values are cut, with their length and a hash that tells two versions apart.
    """
    text = json.dumps(jsonable(value), ensure_ascii=False, allow_nan=False)
    if len(text) <= SHOW_LIMIT:
        return text
    import hashlib  # only for long values; keeps it off every command's start-up

    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return f"{text[:60]}… ({len(text):,} chars, sha256 {digest})"
