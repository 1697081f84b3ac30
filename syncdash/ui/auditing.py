"""``a``: the audit of the on-premises AD this run read (IdFix's successor), run in a
thread — a large directory takes seconds — and shown full screen when done.

Part of the app (a base class of :class:`~syncdash.ui.app.SyncdashApp`)."""

from __future__ import annotations

from textual import on, work
from textual.app import App

from syncdash.ui.messages import QUIET, AuditDone
from syncdash.ui.state import Dashboard


class OnPremisesAudit(App[None]):
    state: Dashboard

    def action_audit(self) -> None:
        index, tenant = self.state.index, self.state.tenant
        if index is None or tenant is None:
            self.notify("The audit runs once the tenant has been read.", markup=False)
            return
        if index.on_premises is None:
            self.notify("No on-premises AD was read: start with --ad-url or --ad-export, or a profile's ad table.",
                        markup=False)
            return
        self.notify("Auditing on-premises AD…", markup=False)
        self._audit()

    @work(thread=True, exclusive=True, group="audit", exit_on_error=False, description=QUIET)
    def _audit(self) -> None:
        from syncdash.pipeline import audit_directory

        index, tenant = self.state.index, self.state.tenant
        if index is None or tenant is None or index.on_premises is None:
            return
        results = audit_directory(index, tenant)
        self.post_message(AuditDone(results, ", ".join(index.on_premises.origins), index.on_premises.count))

    @on(AuditDone)
    def _audit_done(self, message: AuditDone) -> None:
        from syncdash.ui.screens.audit import AuditScreen

        self.push_screen(AuditScreen(message.origins, message.results, message.read))
