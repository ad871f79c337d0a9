"""A one-line progress display for `run` and `demo` on a terminal.

In: the ingest flow's own log lines (logger `prefect.flow_runs`: "3 feeds polled, 28 new entries",
"chunk 1/2: 25 articles stored", ...). Out: the latest one, rewritten in place on stderr; warnings
and errors keep their own line. Off when stderr is not a terminal (piped or logged runs stay quiet)
and with --verbose (Prefect prints its logs itself then).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import sys
from collections.abc import Iterator
from typing import TextIO

from flows.output import visible

FLOW_LOGGER = "prefect.flow_runs"


class LineHandler(logging.Handler):
    """Writes each INFO record over the previous one; WARNING and above on a line of their own."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(logging.INFO)
        self.stream = stream
        self.open = False

    def emit(self, record: logging.LogRecord) -> None:
        text = visible(record.getMessage()).replace("\n", " ")
        if text.startswith("View at "):
            return
        width = shutil.get_terminal_size((100, 24)).columns - 1
        if record.levelno >= logging.WARNING:
            self.finish()
            self.stream.write(f"{record.levelname.lower()}: {text}\n")
        else:
            self.stream.write("\r\x1b[K" + f"… {text}"[:width])
            self.open = True
        self.stream.flush()

    def finish(self) -> None:
        if self.open:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.open = False


@contextlib.contextmanager
def progress_line(enabled: bool, stream: TextIO | None = None) -> Iterator[None]:
    """Show the flow's progress on one line of `stream` (stderr) while the block runs, if `enabled`."""
    if not enabled:
        yield
        return
    logger = logging.getLogger(FLOW_LOGGER)
    handler = LineHandler(stream or sys.stderr)
    saved = logger.level, logger.propagate
    logger.setLevel(logging.INFO)
    logger.propagate = False  # Prefect's console handler sits on the parent logger: not twice
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        handler.finish()
