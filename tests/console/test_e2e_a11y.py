"""Every console page a persona reaches, in Chromium at desktop and phone size:
axe-core finds no serious or critical violation, and at 390×844 the document
is no wider than the screen. Screenshots go to test-artifacts/screenshots/.

Each persona's pages are found by following the links it is shown, from its
org list, until none is left: every address pattern (ids replaced, query
aside) it can reach is checked once for that persona, since the same page
shows each persona different things (the nav, the forms it may use, the
banner). One browser for the module and one page per persona keep it short;
axe is loaded by the page itself (an init script of the persona's context), not
sent again for every run, and the screenshots are JPEG (PNG cost twice as much).
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest

from console.e2e_support import CHROMIUM, shot, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"end-to-end tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)",
    ),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
BLOCKING = ("serious", "critical")
# A bound that only a crawl gone wrong reaches (the demo's personas reach
# fewer than 60 patterns each): the test fails rather than stop short.
MAX_PAGES = 150
SKIP = re.compile(r"(\.csv|/sign-out|/static/|/export|mailto:)")
ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def pattern(path: str) -> str:
    return ID.sub("{id}", path)


def load_axe_in_every_page(context) -> None:  # type: ignore[no-untyped-def]
    """axe-core in every document the context opens, before the page's scripts:
    sending its 570 kB per run (Axe().run) cost ~30% of the walk."""
    from axe_playwright_python.base import AXE_FILE_PATH

    context.add_init_script(path=AXE_FILE_PATH)


# axe.run without the rules that cannot report a blocking violation: a rule's
# violation takes the highest impact among its failed checks, so a rule whose
# every check (and the rule's own impact) is at most "moderate" never reaches
# BLOCKING. Read from the loaded axe's own metadata at each run, so another
# axe version decides for itself; a check without a stated impact keeps its
# rule. ~30 of axe's ~105 rules (region, landmarks, heading order...) are
# left out, none of whose findings this test could report.
RUN_BLOCKING_RULES = """(() => {
  const rank = {minor: 1, moderate: 2, serious: 3, critical: 4};
  const checks = axe._audit.data.checks || {};
  const highest = (rule) => Math.max(
    rule.impact ? rank[rule.impact] : 0,
    ...[...rule.any, ...rule.all, ...rule.none].map((c) => {
      const impact = (checks[typeof c === "string" ? c : c.id] || {}).impact;
      return impact ? rank[impact] : Infinity;
    }),
  );
  const rules = {};
  for (const rule of axe._audit.rules) {
    if (highest(rule) < rank.serious) rules[rule.id] = {enabled: false};
  }
  return axe.run({resultTypes: ["violations"], rules});
})()"""


def blocking_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    # As axe_playwright_python's Axe().run, minus the injection (see above) and
    # the rules that cannot block; a page without axe raises a ReferenceError
    # here, never an empty result.
    results = page.evaluate(RUN_BLOCKING_RULES)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v.get("impact") in BLOCKING
    ]


def links_of(page, origin: str) -> list[str]:  # type: ignore[no-untyped-def]
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or SKIP.search(href):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def document_width(page) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize(
    "email",
    [
        "pat@northwind.example",
        "rita@bluebird.example",
        "admin@contoso.example",
        "operator@demo.example",
    ],
)
def test_every_page_a_persona_reaches_passes_axe_at_desktop_and_phone(browser, live_server, email):  # type: ignore[no-untyped-def]
    # axe's script is injected by evaluation; the console's CSP allows only its own.
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    context.set_default_timeout(30_000)  # a loaded machine; the pages answer in ms
    load_axe_in_every_page(context)
    try:
        page = sign_in(context.new_page(), live_server, email)
        origin = live_server.url
        queue, visited = deque([urlsplit(page.url).path, "/no-such-page"]), []
        problems: list[str] = []
        crawled: set[str] = set()
        while queue:
            path = queue.popleft()
            key = pattern(path.split("?")[0])
            if key in crawled:
                continue
            crawled.add(key)
            assert len(crawled) <= MAX_PAGES, f"more than {MAX_PAGES} page patterns: {crawled}"
            page.set_viewport_size(DESKTOP)
            page.goto(origin + path)
            visited.append(path)
            name = f"a11y-{email.split('@')[0]}-{len(visited):02}"
            problems += [f"{path} desktop: {v}" for v in blocking_violations(page)]
            shot(page, f"{name}-desktop", jpeg=True)
            queue.extend(links_of(page, origin))
            page.set_viewport_size(PHONE)
            width, viewport = document_width(page)
            if width > viewport:
                problems.append(f"{path} phone: document {width}px wide in a {viewport}px screen")
            problems += [f"{path} phone: {v}" for v in blocking_violations(page)]
            shot(page, f"{name}-phone", jpeg=True)
        assert len(crawled) >= 4, crawled
        assert problems == [], "\n".join(problems)
    finally:
        context.close()
