"""The temporary server builds its routes before it listens (`route_once`), through the app's ASGI
interface, never failing the server; the CLI forks that server before importing its table output."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI

from flows import lifecycle


class Counted:
    """A response model whose schema pydantic builds through this hook: counts the builds."""

    builds = 0

    @classmethod
    def __get_pydantic_core_schema__(cls, source, handler):  # noqa: ANN001, ANN206 - pydantic's hook
        from pydantic_core import core_schema

        cls.builds += 1
        return core_schema.int_schema()


def _app() -> FastAPI:
    router = APIRouter()

    @router.get("/thing", response_model=Counted)
    def thing() -> int:
        return 7

    api = FastAPI()
    api.include_router(router, prefix="/items")
    app = FastAPI()
    app.mount("/api", api)
    return app


async def _get(app: FastAPI, path: str) -> tuple[int, str]:
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
        response = await client.get(path)
    return response.status_code, response.text


def test_one_unrouted_request_builds_the_routes_a_later_request_uses():
    app = _app()
    assert asyncio.run(lifecycle.route_once(app)) == 404
    built = Counted.builds
    assert built >= 1, "no route was built by the unrouted request"
    assert asyncio.run(_get(app, "/api/items/thing")) == (200, "7")
    assert Counted.builds == built, "the first real request built its route again"


def test_an_app_that_fails_leaves_the_server_to_build_its_routes_later():
    async def broken(scope, receive, send):  # noqa: ANN001 - an ASGI app
        raise RuntimeError("not now")

    assert asyncio.run(lifecycle.route_once(broken)) is None


@pytest.mark.parametrize("argv", [["demo"], ["run", "--feeds", "seeds/demo/feeds.yaml"]])
def test_the_cli_imports_no_table_library_before_its_server_forks(argv, tmp_path):
    """What the CLI imported when it starts its temporary server is in the server's process too,
    there for nothing: the table output (pyarrow, numpy) and run's check come after."""
    code = ("import sys\nimport flows.lifecycle as lifecycle\n"
            "def start(env, fork=False):\n"
            "    print(sorted(m for m in ('pyarrow', 'numpy', 'duckdb', 'flows.commands') if m in sys.modules))\n"
            "    sys.exit(0)\n"
            "lifecycle._start_server = start\n"
            "from flows.cli import main\n"
            f"main({[*argv, '--data', str(tmp_path)]!r})\n")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.strip() == "[]"
