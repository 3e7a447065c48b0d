"""Typed content: front matter validated into Story, Milestone, Page, Campaign and Gift.

Input: ``load.SiteSource``; output: ``Corpus`` plus located problems. Pure.
"""

from generator.model.content import (
    Campaign,
    Consent,
    Gift,
    ImageRef,
    Metric,
    Milestone,
    Page,
    PartialDate,
    Story,
)
from generator.model.fields import slugify
from generator.model.snapshot import Snapshot
from generator.model.validate import Corpus, validate, validate_one

__all__ = [
    "Campaign",
    "Consent",
    "Corpus",
    "Gift",
    "ImageRef",
    "Metric",
    "Milestone",
    "Page",
    "PartialDate",
    "Snapshot",
    "Story",
    "slugify",
    "validate",
    "validate_one",
]
