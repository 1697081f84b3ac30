"""Steps 1–3 run in the article's order: what ``check``, ``report`` and the dashboard call."""

from __future__ import annotations

from syncdash.diagnose.findings import Diagnosis, Status
from syncdash.diagnose.steps import step_one, step_three, step_two
from syncdash.model import ObjectFacts


def diagnose(facts: ObjectFacts) -> Diagnosis:
    """Run steps 1–3; step 3 is evaluated always but marked not needed when step 1 or 2
    already found the cause, as the article runs it only when they find nothing."""
    one, two = step_one(facts), step_two(facts)
    needed = one.status is not Status.PROBLEM and two.status is not Status.PROBLEM
    return Diagnosis(query=facts.query, object=facts.object, steps=(one, two, step_three(facts, needed)))
