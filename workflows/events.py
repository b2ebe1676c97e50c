"""Events of the workflows app, recorded in the outbox by its actions."""

from dataclasses import dataclass

from helpdesk.outbox import Event


@dataclass(frozen=True, kw_only=True)
class TimedWorkflowDue(Event):
    """A conversation has waited as long as a timed workflow says. Recorded with the workflow's pending run, so
    that the run is applied once by the outbox, however often the worker applying it dies first."""

    run_id: int
    workflow_id: int
    conversation_id: int
