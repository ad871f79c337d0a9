"""`flarewatch alerts install`: the automations of flows/automations.yaml, created on a Prefect server.

In: a webhook URL, the freshness limit (seconds without a completed poll), the server named by
PREFECT_API_URL. Out: a Webhook block `flarewatch-alerts` holding the URL and the file's
automations, each replacing any automation of the same name (so installing twice leaves one set).
Loopback and private webhook URLs are allowed on purpose (`allow_private_urls`, Prefect 3.8's
default for Webhook blocks): alert receivers often live inside the network.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

AUTOMATIONS_YAML = Path(__file__).with_name("automations.yaml")
BLOCK_NAME = "flarewatch-alerts"


def declared(stale_after: float, block_id: str, path: Path = AUTOMATIONS_YAML) -> list[dict[str, Any]]:
    """The file's automations with the webhook block and the freshness limit filled in."""
    specs = copy.deepcopy(yaml.safe_load(path.read_text(encoding="utf-8"))["automations"])
    for spec in specs:
        if spec["trigger"].get("within") == "STALE_AFTER":
            spec["trigger"]["within"] = stale_after
        for action in spec["actions"]:
            if action["type"] == "call-webhook":
                action["block_document_id"] = block_id
    return specs


def install(webhook: str, stale_after: float) -> list[str]:
    """Create the block and the automations on the server; returns the automations' names."""
    from prefect.automations import Automation
    from prefect.blocks.webhook import Webhook
    from prefect.client.orchestration import get_client

    if not webhook.startswith(("http://", "https://")):
        raise ValueError(f"--webhook must be an http(s) URL, not {webhook!r}")
    if stale_after < 10:
        raise ValueError("--stale-after must be at least 10 seconds")
    block_id = Webhook(url=webhook, allow_private_urls=True).save(BLOCK_NAME, overwrite=True)
    names = []
    for spec in declared(stale_after, str(block_id)):
        with get_client(sync_client=True) as client:
            for old in client.read_automations_by_name(spec["name"]):
                client.delete_automation(old.id)
        Automation.model_validate(spec).create()
        names.append(spec["name"])
    return names
