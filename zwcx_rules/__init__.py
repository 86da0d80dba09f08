"""zwcx_rules: government-integrity (政务诚信) policy as code.

Load a policy by id or path, load a case file, and evaluate it on a date; every outcome names the
clause, the verbatim source text and the facts that caused it.
"""

from __future__ import annotations

from zwcx_rules.api import Policy, check_policy, evaluate, load_cases, load_policy
from zwcx_rules.diagnostics.errors import Diagnostic, Severity, ZwcxError
from zwcx_rules.engine.decisions import ClauseRef, Decision, Decisions, Modification, Outcome, RecordResult
from zwcx_rules.facts import CaseFile, Event, Facts, Subject

__all__ = [
    "CaseFile", "ClauseRef", "Decision", "Decisions", "Diagnostic", "Event", "Facts", "Modification",
    "Outcome", "Policy", "RecordResult", "Severity", "Subject", "ZwcxError", "check_policy",
    "evaluate", "load_cases", "load_policy",
]
