"""Task ids that carry what a job cannot: ``offline-v1.<seed>.<outputs>.<width>x<height>.<digest>``.

A job rebuilt from a stored operation has its model, kind, prompt and parameters but neither
the seed nor (for a model giving several outputs per call) the size of this one call; the id
carries those, and `digest` (128 bits of SHA-256 over every field of the job, input hashes
included) proves that a job rebuilt with them is the one the task was issued for. `seed` is
the job's seed in decimal, ``auto`` when it had none (the renderers derive one from the
prompt) or ``x`` when it is too long to carry (such a task cannot be looked up).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

from imagestudio.application.ports.provider import InputImage, ProviderJob

PREFIX = "offline-v1"
_AUTO = "auto"
_UNCARRIED = "x"
_LONGEST_SEED = 40
_LONGEST_ID = 160
_DIGEST_LENGTH = 32
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class IssuedTask:
    seed: int | None
    seed_carried: bool
    outputs: int
    width: int
    height: int
    digest: str

    @property
    def id(self) -> str:
        seed = _AUTO if self.seed is None else str(self.seed)
        if not self.seed_carried:
            seed = _UNCARRIED
        return f"{PREFIX}.{seed}.{self.outputs}.{self.width}x{self.height}.{self.digest}"

    def job(self, rebuilt: ProviderJob, inputs: tuple[InputImage, ...]) -> ProviderJob | None:
        """`rebuilt` as this task was issued for it, or None when it is another job."""
        if not self.seed_carried:
            return None
        issued = replace(
            rebuilt,
            seed=self.seed,
            outputs=self.outputs,
            width=self.width,
            height=self.height,
            inputs=inputs,
        )
        return issued if digest(issued) == self.digest else None


def issued_for(job: ProviderJob) -> IssuedTask:
    carried = job.seed is None or len(str(job.seed)) <= _LONGEST_SEED
    return IssuedTask(
        seed=job.seed if carried else None,
        seed_carried=carried,
        outputs=job.outputs,
        width=job.width,
        height=job.height,
        digest=digest(job),
    )


def read(task_id: str) -> IssuedTask | None:
    """The task `task_id` names, or None when it is not an id `issued_for` gives."""
    if len(task_id) > _LONGEST_ID:
        return None
    fields = task_id.split(".")
    if len(fields) != 5 or fields[0] != PREFIX or not _is_digest(fields[4]):
        return None
    _, seed, outputs, size, fingerprint = fields
    width, _, height = size.partition("x")
    try:
        task = IssuedTask(
            seed=None if seed in (_AUTO, _UNCARRIED) else int(seed),
            seed_carried=seed != _UNCARRIED,
            outputs=int(outputs),
            width=int(width),
            height=int(height),
            digest=fingerprint,
        )
    except ValueError:
        return None
    # Only the spelling `id` gives is an issued id (no "007", "+7" or " 7").
    return task if task.id == task_id else None


def digest(job: ProviderJob) -> str:
    fingerprint = {
        "model": job.model.id,
        "kind": str(job.kind),
        "prompt": job.prompt,
        "inputs": [[given.role, input_hash(given)] for given in job.inputs],
        "size": [job.width, job.height],
        "outputs": job.outputs,
        "seed": job.seed,
        "parameters": {name: job.parameters[name] for name in sorted(job.parameters)},
    }
    canonical = json.dumps(fingerprint, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:_DIGEST_LENGTH]


def _is_digest(text: str) -> bool:
    return len(text) == _DIGEST_LENGTH and all(char in _HEX for char in text)


def input_hash(given: InputImage) -> str:
    return hashlib.sha256(given.data).hexdigest()
