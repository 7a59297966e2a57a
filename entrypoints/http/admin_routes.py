"""Operator routes, behind the admin key (IMAGESTUDIO_ADMIN_KEY); each runs the use case its
CLI command runs, with the same input rules (see `admin_amounts`).

    GET    /v1/admin/plans                         every plan
    GET    /v1/admin/plans/{name}                  one plan
    PUT    /v1/admin/plans/{name}                  create (201) or replace (200) a plan
    GET    /v1/admin/users                         users by page: plan, keys, spend this period
    POST   /v1/admin/users                         a new user on a plan, with their first key
    PUT    /v1/admin/users/{user_id}/plan          move a user to another plan, now
    GET    /v1/admin/users/{user_id}/keys          a user's keys (never the keys themselves)
    POST   /v1/admin/users/{user_id}/keys/rotate   revoke a user's keys, issue a new one
    DELETE /v1/admin/keys/{reference}              revoke one key, by id or prefix
    GET    /v1/admin/budgets                       operator budgets, with this month's spend
    PUT    /v1/admin/budgets/{provider}            set the monthly budget at a provider
    POST   /v1/admin/adjustments                   refund or correct a user's charge
    GET    /v1/admin/usage/export                  the ledger's lines, as CSV or JSON
    DELETE /v1/admin/users/{user_id}               erase a user (ledger lines kept, anonymised)
    POST   /v1/admin/storage/sweep                 delete assets past their plan's retention
    POST   /v1/admin/storage/gc                    remove bytes no asset names; report missing

A key is echoed only when it is issued (a new user, a rotation), never again.
"""

from __future__ import annotations

from fastapi import APIRouter

from imagestudio.entrypoints.http import (
    admin_budget_routes,
    admin_ledger_routes,
    admin_plan_routes,
    admin_upkeep_routes,
    admin_user_routes,
)
from imagestudio.entrypoints.http.studio_route import StudioRoute

router = APIRouter(route_class=StudioRoute)
# In the order above: it is the order of /openapi.json's paths.
for part in (
    admin_plan_routes,
    admin_user_routes,
    admin_budget_routes,
    admin_ledger_routes,
    admin_upkeep_routes,
):
    router.include_router(part.router)
