"""The warehouse handle: a data root opened and checked once, then passed down.

In: a data root as users give it (a directory, or an fsspec URL such as `s3://bucket/prefix`).
Out: `Warehouse`, a `paths.Root` (its url, base path and file system, parsed once) that is also an
`os.PathLike`: every warehouse function that takes a data root (`parquet`, `partitions`, `state`,
`catalog`, `coverage`, `raw`, `lock`, ...) accepts it, and `paths.open_root` hands it back as it is
instead of parsing the root again. `str()` and `os.fspath()` give its url (an absolute path for a
local root), what other processes (a deployment's runs) need to open it again; a handle pickled
(to a coding process, a Dask worker, or hashed into a Prefect task's cache key) travels as that url
and is opened again on arrival, so its key is the root's and no file-system object is serialised.

Strings are parsed here only, at the entry (the CLI, a flow's parameter); `paths.DataRoot`, what
warehouse functions take, names this type.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warehouse import paths, swap

REPORTS_DIR = "reports"


@dataclass(frozen=True)
class Warehouse(paths.Root):
    """A data root, parsed and checked once (`Warehouse.open`)."""

    @classmethod
    def open(cls, location: str | os.PathLike[str] | paths.Root) -> Warehouse:
        """Parse `location` once; ValueError (one line naming the root) when it cannot be a data
        root: an unknown URL protocol, a protocol whose fsspec package is not installed, or a
        local path that is a file. A root that does not exist yet is fine (writers create it)."""
        if isinstance(location, Warehouse):
            return location
        text = location.url if isinstance(location, paths.Root) else os.fspath(location)
        if not text.strip():
            raise ValueError("the data root is empty: give a directory or an s3:// URL")
        try:
            root = paths.open_root(location)
        except ImportError as exc:  # fsspec knows the protocol, its package is not installed
            extra = " (pip install 'flarewatch[s3]')" if text.startswith(("s3://", "s3a://")) else ""
            raise ValueError(f"data root {text}: {exc}{extra}") from None
        except ValueError as exc:  # fsspec: "Protocol not known: ..."
            raise ValueError(f"data root {text}: {exc}; give a directory or an s3://bucket/prefix URL") from None
        if root.local and Path(root.base).exists() and not Path(root.base).is_dir():
            raise ValueError(f"data root {text} is a file, not a directory")
        return cls(url=root.url, base=root.base, fs=root.fs)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return Warehouse.open, (self.url,)

    def save_report(self, html: str) -> str:
        """`html` as `<root>/reports/latest.html` (written aside, then renamed: `swap.write_bytes_atomic`):
        its file:// URL. Local roots only (ValueError on object storage: no URL a browser opens there)."""
        if not self.local:
            raise ValueError(f"data root {self.url}: report pages are written to local roots only")
        target = Path(self.join(REPORTS_DIR, "latest.html"))
        swap.write_bytes_atomic(self, html.encode("utf-8"), str(target))
        return target.as_uri()

    def __fspath__(self) -> str:
        return self.url

    def __str__(self) -> str:
        return self.url
