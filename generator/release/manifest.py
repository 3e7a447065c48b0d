"""A release's manifest as text, and the release id made from its files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any


def release_id(now: dt.datetime, files: Sequence[dict[str, Any]]) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(f"{f['path']}\0{f['sha256']}\n".encode())
    # microseconds keep ids in build order even for builds within one second
    return f"{now.strftime('%Y%m%dT%H%M%S.%fZ')}-{digest.hexdigest()[:8]}"


def manifest_text(manifest: dict[str, Any]) -> str:
    """JSON with a field, a file or a story per line, for people reading it; each part
    by the C encoder (with ``indent``, json encodes in Python: 0.2 s for 16,000 files)."""
    dumps = json.dumps

    def value(v: Any) -> str:
        if isinstance(v, list) and v:
            return "[\n" + ",\n".join(dumps(x, sort_keys=True) for x in v) + "\n]"
        return dumps(v, sort_keys=True)

    fields = [f"{dumps(k)}: {value(v)}" for k, v in sorted(manifest.items())]
    return "{\n" + ",\n".join(fields) + "\n}\n"
