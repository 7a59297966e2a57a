"""Every problem `type` the API answers with links to a page that says what it means and what to
do. The problem types are found, not listed here: `problem_for` applied to every domain error
(every value of every enum field), and every `Problem(slug=…)` written in the HTTP package."""

from __future__ import annotations

import ast
import dataclasses
import enum
import itertools
import typing
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from types import UnionType

import httpx
import pytest
from http_support import serving

from imagestudio.domain import errors
from imagestudio.entrypoints.http import problems
from imagestudio.entrypoints.http.problem_guides import GUIDES
from imagestudio.entrypoints.http.problems import PROBLEM_TYPES, problem_for

HTTP_PACKAGE = Path(problems.__file__).resolve().parent


def samples(cls: type) -> list[object]:
    """One instance of a domain error dataclass per combination of its enum fields' values."""
    hints = typing.get_type_hints(cls)
    choices = [_values(hints[field.name]) for field in dataclasses.fields(cls)]
    names = [field.name for field in dataclasses.fields(cls)]
    return [cls(**dict(zip(names, combo, strict=True))) for combo in itertools.product(*choices)]


def _values(hint: object) -> list[object]:
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return list(hint)
    if isinstance(hint, UnionType):  # `str | None`: the first arm does
        return _values(typing.get_args(hint)[0])
    if typing.get_origin(hint) is tuple:
        return [tuple(_values(typing.get_args(hint)[0]))]
    by_type: dict[object, object] = {
        str: "x",
        int: 1,
        bool: False,
        datetime: datetime(2030, 1, 1, tzinfo=UTC),
    }
    assert hint in by_type, f"no sample value for {hint}: teach _values"
    return [by_type[hint]]


DOMAIN_ERRORS = [
    member
    for member in vars(errors).values()
    if isinstance(member, type)
    and dataclasses.is_dataclass(member)
    and member.__module__.startswith(f"{errors.__name__}.")
]


def answered_by_problem_for() -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for cls in DOMAIN_ERRORS:
        for error in samples(cls):
            problem = problem_for(error)
            found.setdefault(problem.slug, set()).add(problem.status)
    return found


def written_in_the_http_package() -> dict[str, set[int | None]]:
    """Every `Problem(slug=…)` of the package's source, its subpackages' too (the studio
    pages): a literal slug (or a choice between literals) with its status when that is a
    literal too. Slugs computed at run time are
    allowed only in problems.py and the modules it asks (`*_problems.py`), whose every branch
    `problem_for` reaches."""
    found: dict[str, set[int | None]] = {}
    for source in sorted(HTTP_PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem"):
                continue
            given = {keyword.arg: keyword.value for keyword in node.keywords}
            if "slug" not in given:
                continue
            slugs = _literals(given["slug"])
            if slugs is None:
                assert source.name.endswith("problems.py"), (
                    f"{source.name}:{node.lineno} computes a problem slug: write it as a literal"
                )
                continue
            status = given.get("status")
            code = status.value if isinstance(status, ast.Constant) else None
            for slug in slugs:
                found.setdefault(slug, set()).add(code)
    return found


def _literals(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _literals(node.body), _literals(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def every_problem_type() -> dict[str, set[int | None]]:
    found: dict[str, set[int | None]] = dict(written_in_the_http_package())
    for slug, statuses in answered_by_problem_for().items():
        found.setdefault(slug, set()).update(statuses)
    return found


def test_the_search_finds_the_problem_types_it_is_meant_to() -> None:
    found = every_problem_type()
    assert len(DOMAIN_ERRORS) >= 20
    for slug in ("quota-exceeded", "provider-unavailable", "invalid-input/too-large"):
        assert slug in found  # from problem_for, one enum value each
    for slug in ("unauthorized", "shutting-down", "not-found", "http-error"):
        assert slug in found  # written in the routes


def test_no_domain_error_falls_through_to_the_internal_error() -> None:
    for cls in DOMAIN_ERRORS:
        for error in samples(cls):
            assert problem_for(error).slug != "internal", error


def test_every_problem_type_has_a_guide_with_its_status_and_no_guide_is_stale() -> None:
    found = every_problem_type()
    assert sorted(set(found) - set(GUIDES)) == [], "problem types without a page"
    assert sorted(set(GUIDES) - set(found)) == [], "pages of problem types nobody answers"
    for slug, statuses in found.items():
        guide = GUIDES[slug]
        known = statuses - {None}
        if guide.status is None:
            assert None in statuses, f"{slug} has a status of its own: {statuses}"
        elif known:  # a status computed at run time (not-found's 404) is not known here
            assert known == {guide.status}, f"{slug}: the API answers {statuses}"
        assert guide.meaning.strip() and guide.action.strip(), slug


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> typing.Iterator[str]:
    with serving(tmp_path_factory.mktemp("problem-pages")) as served:
        yield served.base_url


def test_every_problem_type_has_its_page_over_http(api: str) -> None:
    with httpx.Client(base_url=api, timeout=30) as client:  # no key: pages are public
        for slug in sorted(every_problem_type()):
            page = client.get(PROBLEM_TYPES + slug)
            guide = GUIDES[slug]
            assert page.status_code == 200, (slug, page.text)
            assert page.headers["content-type"].startswith("text/html")
            assert f"<h1>{escape(guide.title)}</h1>" in page.text, slug
            for text in (guide.meaning, guide.action):
                first_words = escape(text.split("`")[0][:30])
                assert first_words in page.text, (slug, first_words)

        index = client.get(PROBLEM_TYPES)
        assert index.status_code == 200
        for slug in GUIDES:
            assert f'href="{PROBLEM_TYPES}{escape(slug)}"' in index.text
        assert client.get(PROBLEM_TYPES + "no-such-problem").status_code == 404


def test_the_type_of_a_real_answer_leads_to_its_page(api: str) -> None:
    with httpx.Client(base_url=api, timeout=30) as client:
        refused = client.get("/v1/usage")  # no key
        assert refused.status_code == 401
        kind = refused.json()["type"]
        page = client.get(kind)
    assert kind == PROBLEM_TYPES + "unauthorized"
    assert page.status_code == 200 and GUIDES["unauthorized"].title in page.text
