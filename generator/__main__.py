"""``python -m generator``: the same as the ``storysite`` command."""

from generator.cli import run

run()
