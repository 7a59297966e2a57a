"""The sandbox as one ASGI app: both providers' routes, hosted files, and a control surface."""

from __future__ import annotations

from dataclasses import asdict

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as HttpRoute

from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.adapters.sandbox.hosted_files import FILES_PATH
from imagestudio.adapters.sandbox.stability import StabilityEmulator
from imagestudio.adapters.sandbox.state import SandboxState
from imagestudio.adapters.sandbox.wavespeed import WaveSpeedEmulator

CONTROL_PATH = "/_sandbox"


def build_app(state: SandboxState) -> Starlette:
    """WaveSpeed under `/api/v3`, Stability under `/v2beta` and `/v1`, files under `/_emu`."""

    async def serve_file(request: Request) -> Response:
        return await state.files.serve(request, state.faults)

    async def billed(request: Request) -> Response:
        provider = request.query_params.get("provider")
        return JSONResponse(
            [
                {
                    **asdict(task),
                    "amount": str(task.amount),
                    "billed_at": task.billed_at.isoformat(),
                }
                for task in state.book.billed(provider)
            ]
        )

    async def add_fault(request: Request) -> Response:
        body = await request.json()
        try:
            route, fault = Route(body["route"]), Fault(body["fault"])
            times = int(body.get("times", 1))
        except (KeyError, ValueError, TypeError) as error:
            return JSONResponse({"error": f"bad fault: {error}"}, status_code=400)
        state.faults.add(route, fault, times)
        return JSONResponse({"route": route.value, "fault": fault.value, "times": times})

    async def fault_tally(request: Request) -> Response:  # noqa: ARG001
        return JSONResponse(state.faults.tally())

    routes = [
        *WaveSpeedEmulator(state).routes(),
        *StabilityEmulator(state).routes(),
        HttpRoute(FILES_PATH + "/{name}", serve_file, methods=["GET"]),
        HttpRoute(CONTROL_PATH + "/billed", billed, methods=["GET"]),
        HttpRoute(CONTROL_PATH + "/faults", add_fault, methods=["POST"]),
        HttpRoute(CONTROL_PATH + "/faults", fault_tally, methods=["GET"]),
    ]
    return Starlette(routes=routes)
