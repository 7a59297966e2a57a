"""The pages a problem's `type` links to: `/problems/<slug>` says what the problem means and
what to do (RFC 9457 §3.1.1: a type URI should lead to documentation a person can read), and
`/problems/` lists them all. Written from `problem_guides.GUIDES`; no key needed."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from imagestudio.entrypoints.http.problem_guides import GUIDES, ProblemGuide
from imagestudio.entrypoints.http.problems import PROBLEM_TYPES
from imagestudio.entrypoints.http.studio_route import StudioRoute

router = APIRouter(include_in_schema=False, route_class=StudioRoute)

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5}code{background:#f3f3f3;padding:0 .2em}dt{font-weight:600}"
)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{_STYLE}</style></head><body>{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status)


def _with_code(text: str) -> str:
    """`backticked` spans of the guide's text as <code>, the rest escaped."""
    parts = escape(text).split("`")
    return "".join(f"<code>{part}</code>" if n % 2 else part for n, part in enumerate(parts))


def guide_page(slug: str, guide: ProblemGuide, root: str = "") -> str:
    """The page's body; `root` is where the API is mounted (links stay inside it)."""
    status = str(guide.status) if guide.status is not None else "the HTTP error's own"
    return (
        f"<h1>{escape(guide.title)}</h1>"
        f"<p><code>type: {escape(PROBLEM_TYPES + slug)}</code> · status {status}</p>"
        f"<dl><dt>What it means</dt><dd>{_with_code(guide.meaning)}</dd>"
        f"<dt>What to do</dt><dd>{_with_code(guide.action)}</dd></dl>"
        "<p>Every problem is answered as <code>application/problem+json</code> with "
        "<code>type</code>, <code>title</code>, <code>status</code> and <code>detail</code>; "
        f'<a href="{escape(root)}{PROBLEM_TYPES}">all problem types</a>.</p>'
    )


@router.get(PROBLEM_TYPES, response_class=HTMLResponse)
async def all_problem_types(request: Request) -> HTMLResponse:
    root = escape(request.scope.get("root_path", ""))
    items = "".join(
        f'<li><a href="{root}{PROBLEM_TYPES}{escape(slug)}"><code>{escape(slug)}</code></a> '
        f"({guide.status or 'varies'}): {escape(guide.title)}</li>"
        for slug, guide in sorted(GUIDES.items())
    )
    return _page("imagestudio problem types", f"<h1>Problem types</h1><ul>{items}</ul>")


@router.get(PROBLEM_TYPES + "{slug:path}", response_class=HTMLResponse)
async def problem_type(slug: str, request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    guide = GUIDES.get(slug)
    if guide is None:
        body = (
            f"<h1>No such problem type</h1><p><code>{escape(PROBLEM_TYPES + slug)}</code> is "
            "not one of this API's problem types; see "
            f'<a href="{escape(root)}{PROBLEM_TYPES}">all of '
            "them</a>.</p>"
        )
        return _page("No such problem type", body, status=404)
    return _page(guide.title, guide_page(slug, guide, root))
