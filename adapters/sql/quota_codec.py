"""Plans and reservations as JSON text: what the quota tables keep but never query inside."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from imagestudio.domain.billing_period import BillingAnchor
from imagestudio.domain.limit import Limit
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import Plan
from imagestudio.domain.quota import Demand, DimensionKey, ReservationRequest, Scope, Settlement
from imagestudio.domain.reservation import Reservation, ReservationState


def plan_to_json(plan: Plan) -> str:
    return json.dumps(
        {
            "calls": {category.value: limit.maximum for category, limit in plan.calls.items()},
            "spend_cap": plan.spend_cap.maximum,
            "requests_per_minute": plan.requests_per_minute.maximum,
            "concurrent_operations": plan.concurrent_operations.maximum,
            "anchor_day": plan.anchor.day,
            "monthly_price": plan.monthly_price,
            "storage_bytes": plan.storage_bytes.maximum,
            "retention_days": plan.retention_days,
        },
        sort_keys=True,
    )


@lru_cache(maxsize=256)
def plan_from_json(name: str, text: str) -> Plan:
    # Read on every reservation: the same few plans, parsed once (a Plan is immutable).
    data = json.loads(text)
    return Plan(
        name=name,
        calls={QuotaCategory(category): Limit(value) for category, value in data["calls"].items()},
        spend_cap=Limit(data["spend_cap"]),
        requests_per_minute=Limit(data["requests_per_minute"]),
        concurrent_operations=Limit(data["concurrent_operations"]),
        anchor=BillingAnchor(data["anchor_day"]),
        monthly_price=data["monthly_price"],
        # Plans saved before storage limits existed keep everything, as they did then.
        storage_bytes=Limit(data.get("storage_bytes")),
        retention_days=data.get("retention_days"),
    )


def request_to_json(request: ReservationRequest) -> str:
    return json.dumps(
        {
            "user_id": request.user_id,
            "category": request.category.value,
            "outputs": request.outputs,
            "amount": request.amount,
            "provider": request.provider,
            "at": request.at.isoformat(),
            "needs_storage": request.needs_storage,
        }
    )


def request_from_json(text: str) -> ReservationRequest:
    data = json.loads(text)
    return ReservationRequest(
        user_id=data["user_id"],
        category=QuotaCategory(data["category"]),
        outputs=data["outputs"],
        amount=data["amount"],
        provider=data["provider"],
        at=datetime.fromisoformat(data["at"]),
        needs_storage=data.get("needs_storage", False),
    )


def demands_to_json(demands: tuple[Demand, ...]) -> str:
    return json.dumps([_demand(demand) for demand in demands])


def _demand(demand: Demand) -> dict[str, Any]:
    key = demand.key
    return {
        "scope": key.scope.value,
        "owner": key.owner,
        "name": key.name,
        "period": key.period,
        "limit": demand.limit.maximum,
        "amount": demand.amount,
        "resets_at": demand.resets_at.isoformat() if demand.resets_at else None,
    }


_SCOPES = {scope.value: scope for scope in Scope}


@lru_cache(maxsize=1024)
def demands_from_json(text: str) -> tuple[Demand, ...]:
    # Read on every settlement: a user's reservations within a period hold the same demands
    # (the same text), parsed once (Demands are immutable).
    return tuple(
        Demand(
            key=DimensionKey(_SCOPES[item["scope"]], item["owner"], item["name"], item["period"]),
            limit=Limit(item["limit"]),
            amount=item["amount"],
            resets_at=datetime.fromisoformat(item["resets_at"]) if item["resets_at"] else None,
        )
        for item in json.loads(text)
    )


def settlement_to_json(settlement: Settlement | None) -> str | None:
    if settlement is None:
        return None
    return json.dumps(
        {
            "outputs": settlement.outputs,
            "amount": settlement.amount,
            "provider_cost": settlement.provider_cost,
        }
    )


def settlement_from_json(text: str | None) -> Settlement | None:
    if text is None:
        return None
    data = json.loads(text)
    return Settlement(
        outputs=data["outputs"], amount=data["amount"], provider_cost=data["provider_cost"]
    )


def reservation_from_columns(
    reservation_id: str, request: str, demands: str, state: str, settlement: str | None
) -> Reservation:
    """A reservation from its row's text columns."""
    return Reservation(
        id=reservation_id,
        request=request_from_json(request),
        demands=demands_from_json(demands),
        state=ReservationState(state),
        settlement=settlement_from_json(settlement),
    )
