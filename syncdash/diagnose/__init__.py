"""The three recommended steps, automated: facts in, findings out, no I/O.

``engine.diagnose`` runs them; the package itself imports nothing, so the dashboard can
load the finding types for its first frame without the rules.
"""
