"""Pure parsing and coding: bytes or text in, frozen records out.

Nothing here reads the environment, touches files of the warehouse or imports Prefect. The one
module that talks to the network is `extractors.fetch`.
"""

from pathlib import Path

from extractors.coding_version import coder_digest

EXTRACTOR_VERSION = f"0.3.0+{coder_digest()}"
"""The release and a hash of the coder's source and data: changes with any coding change, so stale
partitions are found and re-coded (`extractors.coding_version`)."""

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
"""Seed files (feed list, gazetteer, lexicons, demo corpus) shipped beside the packages."""
