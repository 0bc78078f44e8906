"""Deep checks on a compiled protocol: completeness proofs, unreachable branches, constant conditions, unused names.

The method is an exact region analysis run by the engine itself. A condition in this language compares one
input with constants (or tests an enumeration, a boolean or presence), so the constants cut each input's
plausible range into finitely many regions inside which every comparison keeps its truth value. One
representative per region, plus "missing" for every input, stands for every possible patient; each
combination is evaluated by the compiled protocol (`engine.decide`), so what is proved is what the engine
does, and a counterexample is a record the engine really leaves unclassified. Conditions that compute
(arithmetic, functions) or compare two inputs are still sampled, but reported as not proven. Pure: it
returns findings and notes, and prints nothing.

`analysis.survey` enumerates; `analysis.checks` holds the checks as a list of passes over the survey.
"""

from __future__ import annotations

from typing import assert_never

from carepath.analysis.checks import CHECKS
from carepath.analysis.findings import Analysis, Finding, Note
from carepath.analysis.survey import LIMIT, Survey
from carepath.compile.compiler import CompiledProtocol

__all__ = ["CHECKS", "LIMIT", "Analysis", "Finding", "Note", "analyse"]


def analyse(compiled: CompiledProtocol) -> Analysis:
    """Every deep finding on a protocol that checks without errors, with notes on what was proved or only sampled."""
    survey = Survey(compiled)
    findings: list[Finding] = []
    notes: list[Note] = []
    for check in CHECKS:
        for item in check(survey):
            match item:
                case Finding():
                    findings.append(item)
                case Note():
                    notes.append(item)
                case _:
                    assert_never(item)
    findings.sort(key=lambda f: (f.diagnostic.span.line, f.diagnostic.span.column, f.diagnostic.code))
    notes.sort(key=lambda note: (note.span.line, note.span.column))
    return Analysis(tuple(findings), tuple(notes), survey.proved)
