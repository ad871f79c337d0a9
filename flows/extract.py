"""`flarewatch extract`: documents in a JSONL file in, incident mentions in the scorer's format out.

In: a JSONL file of documents (`extractors.documents` reads and codes them: the fields it takes).
Out: one JSON line per mention (`extractors.documents.prediction_rows`), written aside and renamed,
and a one-line account on stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from extractors.documents import code_documents, prediction_rows, read_jsonl
from flows import output


def extract_file(source: Path, target: Path) -> int:
    """Code `source` into `target` (written aside, then renamed); prints a one-line account."""
    mentions = code_documents(read_jsonl(source))
    output.save_file(target, "".join(json.dumps(row, ensure_ascii=False) + "\n"
                                     for row in prediction_rows(mentions)).encode("utf-8"))
    docs = len({m.article_id for m in mentions})
    print(f"{len(mentions)} incident mentions from {docs} documents written to {target}", file=sys.stderr)
    return 0
