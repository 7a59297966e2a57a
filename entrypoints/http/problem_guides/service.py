"""The guides of problems of the service and its providers: budgets, outages, providers' failures
and filters."""

from __future__ import annotations

from imagestudio.entrypoints.http.problem_guides.guide import NOT_CHARGED, ProblemGuide

SERVICE_GUIDES: dict[str, ProblemGuide] = {
    "service-budget-exhausted": ProblemGuide(
        503,
        "The service's provider budget is exhausted (not your quota)",
        "The operator's monthly budget at this provider is used up; your own quota is "
        "untouched. " + NOT_CHARGED,
        "Try another model (of another provider), or after `resets_at`; the operator can raise "
        "the budget (`imagestudio budget set`). Retrying soon will not help.",
    ),
    "provider-rejected-input": ProblemGuide(
        422,
        "The provider rejected the input",
        "The provider refused the request as invalid (a field or an image it does not take). "
        "Nothing was charged.",
        "Read `detail` for the provider's reason, fix the input and send it again.",
    ),
    "content-moderated": ProblemGuide(
        422,
        "Refused by moderation",
        "The provider's safety checker refused the prompt or an input image. Nothing was charged.",
        "Change the prompt or the image. The same request is refused again.",
    ),
    "not-supported": ProblemGuide(
        422,
        "Not supported by the provider",
        "The provider cannot do this with this model (a mode, size or option it lacks). "
        "Nothing was charged.",
        "Choose another model (`GET /v1/models`) or option.",
    ),
    "provider-auth-failed": ProblemGuide(
        502,
        "The service's provider key was refused",
        "The provider refused the operator's API key: a fault of this service's set-up, not "
        "of your request. Nothing was charged.",
        "Tell the operator (`imagestudio providers check`); try another model meanwhile.",
    ),
    "provider-out-of-credit": ProblemGuide(
        503,
        "The provider account is out of credit",
        "The operator's account at the provider has no credit left. Nothing was charged.",
        "Try another model (of another provider); the operator tops the account up.",
    ),
    "provider-rate-limited": ProblemGuide(
        503,
        "The provider is rate-limiting this service",
        "The provider refused the request for the service's account rate. Nothing was charged.",
        "Send it again after the `Retry-After` seconds.",
    ),
    "provider-unavailable": ProblemGuide(
        503,
        "The provider is unavailable",
        "The provider failed or could not be reached before the request was accepted there. "
        "Nothing was charged.",
        "Send it again after the `Retry-After` seconds, or choose another model.",
    ),
    "model-unavailable": ProblemGuide(
        422,
        "Model unavailable",
        "The model's provider is not enabled on this server (no key is set for it).",
        "Choose a model that `GET /v1/models` lists as usable, or `auto`.",
    ),
    "unsupported-kind": ProblemGuide(
        422,
        "Model cannot do this",
        "The model does not do this kind of operation (an upscaler asked to generate, say).",
        "Choose a model of that kind (`GET /v1/models?kind=…`) or `auto`.",
    ),
    "output-filtered": ProblemGuide(
        422,
        "The provider withheld the output",
        "The provider made the image but its safety filter withheld it; providers bill for "
        "this, so the operation is charged as the provider charged.",
        "Change the prompt or the input; the same request may be withheld again.",
    ),
    "output-lost": ProblemGuide(
        503,
        "The result could not be stored",
        "The provider's output could not be downloaded or stored here; the operation is "
        "settled as its outcome says (see the operation).",
        "Send it again after the `Retry-After` seconds.",
    ),
    "outcome-unknown": ProblemGuide(
        504,
        "The outcome at the provider is unknown",
        "The request reached the provider but its answer did not come back (a time-out or a "
        "dropped connection). The reservation stays held until reconciliation looks the task "
        "up: charged if it completed, released if not, never twice.",
        "Do not resend it: poll `GET /v1/operations/{operation_id}` until it settles. A retry "
        "with the same Idempotency-Key is safe.",
    ),
    "not-recorded": ProblemGuide(
        503,
        "The operation could not be recorded",
        "This service could not write its own records (its database); nothing was sent to a "
        "provider and nothing was charged.",
        "Send it again after the `Retry-After` seconds.",
    ),
    "shutting-down": ProblemGuide(
        503,
        "Shutting down",
        "This server is stopping and takes no new operations. " + NOT_CHARGED,
        "Send it again, to another server or after the restart.",
    ),
    "busy": ProblemGuide(
        503,
        "Busy",
        "The operation was accepted but had not started after the wait: the server is overloaded.",
        "Send it again with the same Idempotency-Key: it is run once.",
    ),
    "internal": ProblemGuide(
        500,
        "Internal error",
        "An unexpected error in this service; the server's log has its details (never sent "
        "to clients).",
        "Send it again; if it keeps failing, tell the operator the time and the path.",
    ),
}
