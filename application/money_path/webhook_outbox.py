"""The outbox row a status change owes its operation's webhook: written by the same transaction
that makes the change (accept, progress, settle), so a delivery exists exactly when its event
does, whatever crashes after the commit."""

from __future__ import annotations

from imagestudio.application.ports.unit_of_work import Unit
from imagestudio.domain.operation import ImageOperation
from imagestudio.domain.operation_event import OperationEventKind, event_of
from imagestudio.domain.webhook import WebhookDelivery, delivery_id


def owed(operation: ImageOperation) -> WebhookDelivery | None:
    """The delivery the operation's new status owes, if its webhook asked for that event.

    A failure that moves the request to another provider (`continued_by`) owes no final
    event: the request goes on, and the operation it moved to tells how it ends."""
    webhook, kind = operation.webhook, event_of(operation.status)
    if webhook is None or kind is None or not webhook.wants(kind):
        return None
    if kind is OperationEventKind.SETTLED and operation.continued_by is not None:
        return None
    occurrence = len(operation.provider_task_ids) if kind is OperationEventKind.SENT else 0
    return WebhookDelivery(
        id=delivery_id(operation.id, kind, occurrence),
        user_id=operation.user_id,
        operation_id=operation.id,
        event=kind,
        url=webhook.url,
        created_at=operation.updated_at,
        next_attempt_at=operation.updated_at,
    )


async def write_owed(unit: Unit, operation: ImageOperation) -> None:
    """Add the delivery `owed` to the unit, if any: one insert beside the status change."""
    delivery = owed(operation)
    if delivery is not None:
        await unit.outbox.add(delivery)
