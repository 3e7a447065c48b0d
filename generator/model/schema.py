"""JSON Schemas of the front matter, for editors' editors (``storysite schema``).

Generated from the same pydantic models that validate a build, with the site's own
vocabularies and the ISO 3166 country names filled in as enums, so autocomplete offers
exactly what a build accepts. Pure.
"""

from __future__ import annotations

from typing import Any

from generator.config import SiteConfig
from generator.model.content import META, Gift
from generator.model.fields import country_table


def _fill(node: Any, enums: dict[str, list[str]]) -> Any:
    if isinstance(node, dict):
        kind = node.pop("x-storysite", None)
        if kind in enums:
            node["enum"] = enums[kind]
        for value in node.values():
            _fill(value, enums)
    elif isinstance(node, list):
        for value in node:
            _fill(value, enums)
    return node


def schemas(config: SiteConfig | None) -> dict[str, dict[str, Any]]:
    """One JSON Schema per kind of file: story, milestone, page, campaign, gifts."""
    enums = {"country": sorted(set(country_table().values()))}
    if config is not None:
        enums["injustice"] = list(config.vocabularies.injustice)
        enums["milestone_kind"] = list(config.vocabularies.milestone_kind)
    out: dict[str, dict[str, Any]] = {}
    for kind, model in META.items():
        schema = model.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = f"storysite {kind} front matter"
        out[kind] = _fill(schema, enums)
    gifts = {"type": "array", "items": Gift.model_json_schema(mode="validation")}
    gifts["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    gifts["title"] = "storysite content/data/gifts.yaml"
    out["gifts"] = gifts
    return out
