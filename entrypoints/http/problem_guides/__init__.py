"""What each problem `type` of the API means and what to do about it: the text of the pages at
`/problems/<slug>` (problem_pages.py). Every slug the API answers with has an entry in one of
this package's modules, with the status it is answered with (None where it follows the HTTP
error it reports); a test checks both against the problems the routes and
`problems.problem_for` really build."""

from __future__ import annotations

from collections.abc import Mapping

from imagestudio.entrypoints.http.problem_guides.guide import ProblemGuide
from imagestudio.entrypoints.http.problem_guides.identity import IDENTITY_GUIDES
from imagestudio.entrypoints.http.problem_guides.plan import PLAN_GUIDES
from imagestudio.entrypoints.http.problem_guides.records import RECORD_GUIDES
from imagestudio.entrypoints.http.problem_guides.request import REQUEST_GUIDES
from imagestudio.entrypoints.http.problem_guides.service import SERVICE_GUIDES


def _one_guide_per_slug(*sections: Mapping[str, ProblemGuide]) -> dict[str, ProblemGuide]:
    guides: dict[str, ProblemGuide] = {}
    for section in sections:
        twice = guides.keys() & section.keys()
        if twice:
            raise ValueError(f"problem slugs with two guides: {sorted(twice)}")
        guides.update(section)
    return guides


GUIDES = _one_guide_per_slug(
    REQUEST_GUIDES, IDENTITY_GUIDES, PLAN_GUIDES, SERVICE_GUIDES, RECORD_GUIDES
)

__all__ = ["GUIDES", "ProblemGuide"]
