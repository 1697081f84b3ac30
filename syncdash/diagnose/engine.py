"""Steps 1–3 run in the article's order: what ``check``, ``report`` and the dashboard call."""

from __future__ import annotations

from dataclasses import replace

from syncdash.diagnose.findings import Diagnosis, Status
from syncdash.diagnose.duplicates import step_two
from syncdash.diagnose.on_premises import with_on_premises
from syncdash.diagnose.server import with_server
from syncdash.diagnose.steps import step_one, step_three
from syncdash.model import ObjectFacts
from syncdash.onprem import OnPremisesFacts
from syncdash.sync_server import ServerFacts


def diagnose(facts: ObjectFacts, on_premises: OnPremisesFacts | None = None,
             server: ServerFacts | None = None) -> Diagnosis:
    """Run steps 1–3; step 3 is evaluated always but marked not needed when step 1 or 2
    already found the cause, as the article runs it only when they find nothing — unless
    step 3 itself found something: a step with findings is never "not needed".
    ``on_premises``: what AD says of the object, when AD was read; ``server``: what the
    Connect server's files say, when the admin brought them."""
    one, two = step_one(facts), step_two(facts)
    merged = frozenset(r.id for f in two.findings if f.code == "same-identity" for r in f.related)
    two, three = with_on_premises(two, step_three(facts, merged), facts, on_premises)
    one, three = with_server(one, three, facts, server)
    earlier = one.status is Status.PROBLEM or two.status is Status.PROBLEM
    if earlier and not three.findings:
        three = replace(three, needed=False)
    return Diagnosis(query=facts.query, object=facts.object, steps=(one, two, three))
