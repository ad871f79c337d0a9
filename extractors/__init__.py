"""Pure parsing and coding: bytes or text in, frozen records out.

Nothing here reads the environment, touches files of the warehouse or imports Prefect. The one
module that talks to the network is `extractors.fetch`.
"""

from pathlib import Path

EXTRACTOR_VERSION = "0.3.0"
"""Bumped whenever coding output can change, so stale partitions can be found and re-coded."""

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
"""Seed files (feed list, gazetteer, lexicons, demo corpus) shipped beside the packages."""
