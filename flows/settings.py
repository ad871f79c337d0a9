"""The one settings object, read once at the edge (CLI or flow entry), never at import time.

In: command-line values, then `FLAREWATCH_*` environment variables, then defaults.
Out: `Settings`, passed down as explicit arguments to library code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from extractors import SEEDS_DIR


class Settings(BaseSettings):
    """Where the warehouse lives, what to poll, and how politely to fetch."""

    model_config = SettingsConfigDict(env_prefix="FLAREWATCH_", extra="ignore")

    # A string, not a Path: Path("s3://bucket/x") would collapse the "//" of a URL.
    data: str = Field(
        "data",
        description="Data root holding the Parquet warehouse and raw store: a directory, or object "
        "storage such as s3://bucket/prefix (needs the [s3] extra; lock files then go to FLAREWATCH_LOCK_DIR).",
    )
    feeds: Path = Field(SEEDS_DIR / "feeds.yaml", description="Feed list (YAML).")
    allow_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="Hosts exempt from the private-address (SSRF) guard, e.g. 127.0.0.1."
    )
    workers: int = Field(2, ge=1, description="Processes for CPU-bound extraction and coding.")
    chunk_size: int = Field(100, ge=1, description="Articles per fetch/extract task.")
    timeout: float = Field(15.0, gt=0, description="Seconds per HTTP request.")
    max_bytes: int = Field(5_000_000, gt=0, description="Largest feed or page body accepted (decoded).")
    respect_robots: bool = Field(True, description="Consult robots.txt before fetching article pages.")
    lock_timeout: float = Field(600.0, ge=0, description="Seconds to wait for another run's write lock.")
    task_runner: Literal["default", "dask"] = Field(
        "default", description="Prefect task runner: threads in this process, or Dask (needs the [scale] extra)."
    )
    dask_address: str | None = Field(
        None, description="Dask scheduler (tcp://host:8786) for task_runner=dask; unset: a temporary local cluster."
    )

    @field_validator("data", mode="before")
    @classmethod
    def _data_text(cls, value: object) -> object:
        # Accept a Path too (tests and callers pass one); "~" is expanded for local directories.
        if isinstance(value, Path) or (isinstance(value, str) and "://" not in value):
            return str(Path(value).expanduser())
        return value

    @field_validator("allow_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        # FLAREWATCH_ALLOW_HOSTS is documented as comma-separated, not JSON.
        if isinstance(value, str):
            return tuple(h.strip() for h in value.split(",") if h.strip())
        return value
