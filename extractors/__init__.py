"""Pure parsing and coding: bytes or text in, frozen records out.

Nothing here reads the environment, touches files of the warehouse or imports Prefect. The one
module that talks to the network is `extractors.fetch`.
"""

from importlib.metadata import version
from pathlib import Path

from extractors.coding_version import coder_digest

EXTRACTOR_VERSION = f"0.3.0+{coder_digest()}"
"""The release and a hash of the coder's source and data: changes with any coding change, so stale
partitions are found and re-coded (`extractors.coding_version`)."""

EXTRACTOR_ID = f"{EXTRACTOR_VERSION}+trafilatura-{version('trafilatura')}"
"""Recorded on every Article (`extractors.articles`): a new trafilatura can change the text, so it
is part of the key. Its version is read from the installed package's metadata, not by importing
it, so that readers of the warehouse that only compare versions (`warehouse.partitions`, the
`articles_latest` view) do not import trafilatura (0.1 s)."""

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
"""Seed files (feed list, gazetteer, lexicons, demo corpus) shipped beside the packages."""
