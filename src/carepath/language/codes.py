"""The one registry of diagnostic codes: each code once, with its severity, a one-line summary and its docs anchor.

`Diagnostic` refuses a code that is not here, so a new check cannot ship a code nobody documented or tested.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

#: The page every code is described on; an anchor is a heading's GitHub slug on it.
DOCS_PAGE = "docs/diagnostics.md"


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Code:
    """A diagnostic code as documented: `summary` is its row in the docs' summary table."""

    code: str
    severity: Severity
    summary: str
    anchor: str

    @property
    def docs(self) -> str:
        return f"{DOCS_PAGE}#{self.anchor}"


_E, _W = Severity.ERROR, Severity.WARNING

_TABLE = (
    # CP1xx: syntax
    Code("CP101", _E, "unexpected token", "cp101-unexpected-token"),
    Code("CP102", _E, "unexpected character", "cp102-unexpected-character"),
    Code("CP103", _E, "the file ends too early", "cp103-the-file-ends-too-early"),
    Code("CP104", _E, "the file is larger than 1,000,000 bytes", "cp104-the-file-is-too-large"),
    Code("CP105", _E, "an expression nested more than 128 levels deep", "cp105-nesting-too-deep"),
    # CP106–CP115: the other limits on a protocol file (docs/limits.md)
    Code("CP106", _E, "a file that is not UTF-8 text", "cp106-not-utf-8-text"),
    Code("CP107", _E, "more than 20,000 words, numbers and symbols", "cp107-too-many-tokens"),
    Code("CP108", _E, "a number with more than 40 digits", "cp108-too-many-digits"),
    Code("CP109", _E, "a number larger than 10^15", "cp109-a-number-too-large"),
    Code("CP110", _E, "a unit exponent beyond its limit (10*±30, a power above 9)", "cp110-a-unit-exponent-too-large"),
    Code("CP111", _E, "a duration or day number beyond 200 years", "cp111-a-duration-beyond-200-years"),
    Code("CP112", _E, "a schedule, look-back window or run of more than 2,000 days", "cp112-too-many-days"),
    Code("CP113", _E, "more than 256 operands or arguments in one expression", "cp113-too-many-operands"),
    Code("CP114", _E, "more than 256 branches, amounts, members or days in one list", "cp114-a-list-too-long"),
    Code("CP115", _E, "more than 1,000 inputs and definitions", "cp115-too-many-declarations"),
    # CP2xx: names
    Code("CP201", _E, "unknown name or function", "cp201-unknown-name"),
    Code("CP202", _E, "a name defined twice", "cp202-a-name-defined-twice"),
    Code("CP203", _E, "a member its enumeration does not list", "cp203-unknown-enumeration-member"),
    Code("CP204", _E, "an enumeration member listed twice", "cp204-a-member-listed-twice"),
    # CP3xx: types and units
    Code("CP301", _E, "type mismatch", "cp301-type-mismatch"),
    Code("CP302", _E, "unit dimension mismatch", "cp302-unit-dimension-mismatch"),
    Code("CP303", _E, "unknown unit", "cp303-unknown-unit"),
    Code("CP304", _E, "ordering values that have no order", "cp304-ordering-values-that-have-no-order"),
    Code("CP305", _E, "not a condition where a condition is needed", "cp305-not-a-condition"),
    Code("CP306", _E, "a duration or day that is not whole", "cp306-not-whole"),
    Code("CP307", _E, "a quantity or dose declared in a calendar unit", "cp307-a-calendar-unit-on-a-quantity"),
    Code("CP308", _E, "a plausible-range bound without a unit", "cp308-a-bound-without-a-unit"),
    Code("CP309", _W, "a parameter override makes a dose exceed its reference limit for some patient (with a counterexample)",
         "cp309-an-override-that-exceeds-a-dose-limit"),
    Code("CP310", _E, "a dose limit per day or per course on a schedule that does not say how many doses that is",
         "cp310-a-limit-the-schedule-cannot-count"),
    Code("CP311", _E, "a deadline that is not a whole number of months or days from a date input", "cp311-a-bad-deadline"),
    # CP4xx: structure, then the deep analysis (CP407 onward)
    Code("CP401", _E, "circular definition", "cp401-circular-definition"),
    Code("CP402", _W, "a classification without `otherwise`, or a dose whose every amount has a `when`", "cp402-no-otherwise-warning"),
    Code("CP403", _E, "a branch or amount after `otherwise` or an unconditional amount", "cp403-a-branch-after-otherwise"),
    Code("CP404", _E, "two branches with one name, or two actions for one target band", "cp404-a-name-used-twice-in-one-decision"),
    Code("CP405", _E, "a plausible range, target range, schedule or rounding step that is impossible", "cp405-an-impossible-range"),
    Code("CP406", _E, "a bad `from … to …` derivation or `relative to` anchor", "cp406-a-bad-derivation-or-anchor"),
    Code("CP407", _W, "incomplete: some patient is left undetermined with nothing missing (with a counterexample record)",
         "cp407-incomplete-with-a-counterexample-patient"),
    Code("CP408", _W, "a branch, dose amount or target band that no patient reaches", "cp408-a-branch-no-patient-reaches"),
    Code("CP409", _W, "a condition that is never true, or never false", "cp409-a-condition-that-never-changes"),
    Code("CP410", _W, "an input no rule reads", "cp410-cp411-cp412-names-nothing-uses"),
    Code("CP411", _W, "a criterion no decision uses", "cp410-cp411-cp412-names-nothing-uses"),
    Code("CP412", _W, "a parameter nothing uses", "cp410-cp411-cp412-names-nothing-uses"),
    Code("CP413", _W, "a comparison decided by the plausible range alone", "cp413-a-comparison-the-plausible-range-decides"),
    Code("CP440", _E, "a definition nested more than 128 levels deep through the definitions it reads", "cp440-a-definition-chain-too-long"),
    # CP5xx: patient records (`run`, `explain`, `compare`): each rejects a record, never the protocol
    Code("CP501", _E, "a records file that cannot be read as records, or a record that is not a mapping", "cp501-a-file-that-is-not-records"),
    Code("CP502", _E, "a record without an `id`", "cp502-no-id"),
    Code("CP503", _E, "a record field the protocol does not declare", "cp503-unknown-field"),
    Code("CP504", _E, "a record value that cannot be read as its input's type or unit", "cp504-a-value-that-cannot-be-read"),
    Code("CP505", _E, "a record value outside its input's plausible range", "cp505-an-implausible-value"),
    Code("CP506", _E, "a record field, or a day of a series, given twice", "cp506-given-twice"),
    Code("CP507", _E, "a dated series whose form, days or dates cannot be read", "cp507-a-series-that-cannot-be-read"),
    Code("CP508", _E, "a record's dates in the wrong order, or an age its dates contradict", "cp508-dates-that-disagree"),
    Code("CP509", _E, "a patient id given to more than one record", "cp509-a-duplicate-id"),
    Code("CP510", _E, "an empty patient id", "cp510-an-empty-id"),
    Code("CP511", _E, "a FHIR resource that is not valid FHIR R4", "cp511-an-invalid-fhir-resource"),
    Code("CP512", _E, "a FHIR resource that names no patient, or bulk data whose patients are not each together",
         "cp512-a-resource-without-its-patient"),
    # CP520 onward: a records file or record past a limit (docs/limits.md)
    Code("CP520", _E, "a records file larger than 16 MiB", "cp520-a-records-file-too-large"),
    Code("CP521", _E, "a record with more than 1,000 fields", "cp521-too-many-fields"),
    Code("CP522", _E, "a record nested more than 32 levels deep", "cp522-a-record-nested-too-deeply"),
    Code("CP523", _E, "a series with more than 10,000 days", "cp523-a-series-too-long"),
    Code("CP524", _E, "YAML aliases in one record that stand for more than 100,000 nodes and characters, or for themselves",
         "cp524-aliases-that-repeat-too-much"),
    Code("CP525", _E, "a number in a record written with more than 100 digits", "cp525-a-number-with-too-many-digits"),
    Code("CP526", _E, "a record id longer than 200 characters", "cp526-an-id-too-long"),
    Code("CP527", _E, "a record value with a YAML tag other than YAML's own (such as `!!python/object`)", "cp527-a-yaml-tag-carepath-does-not-read"),
    Code("CP528", _E, "a record value whose number is larger than 10^15 or written with more than 40 digits",
         "cp528-cp529-cp530-a-value-past-the-number-unit-or-duration-limits"),
    Code("CP529", _E, "a record value whose unit has a power-of-ten factor beyond 10*±30 or a power beyond 9",
         "cp528-cp529-cp530-a-value-past-the-number-unit-or-duration-limits"),
    Code("CP530", _E, "a record duration longer than 200 years", "cp528-cp529-cp530-a-value-past-the-number-unit-or-duration-limits"),
    # CP540-CP549: a record's `follow_up:` and `care:` sections (`outcomes`, `audit`, `report`, and every command reading records)
    Code("CP540", _E, "a `follow_up:` or `care:` section or entry that is not a mapping, or has an entry it does not take",
         "cp540-a-follow-up-or-care-section-that-cannot-be-read"),
    Code("CP541", _E, "a follow-up time missing, or not a time from diagnosis or a date", "cp541-a-follow-up-time-that-cannot-be-read"),
    Code("CP542", _E, "a first event or vital status that is not one listed", "cp542-an-unknown-event-or-status"),
    Code("CP543", _E, "follow-up times that disagree", "cp543-follow-up-times-that-disagree"),
    Code("CP544", _E, "a transplant entry without `done: true` or `false`, or not done with no reason", "cp544-a-transplant-entry-that-cannot-be-read"),
    Code("CP545", _E, "`estimated:` without a reason", "cp545-an-estimate-without-a-reason"),
    Code("CP546", _E, "a dose given or level measured that cannot be read", "cp546-a-care-entry-that-cannot-be-read"),
    Code("CP547", _E, "a dose given or level measured that does not fit the protocol's dose or target", "cp547-a-care-entry-that-does-not-fit"),
    # CP8xx: data maps (`--map`): each stops the run, like a protocol error
    Code("CP801", _E, "a data map that cannot be read as a map", "cp801-a-map-that-cannot-be-read"),
    Code("CP802", _E, "a key a data map entry does not take", "cp802-an-unknown-key"),
    Code("CP803", _E, "a map entry for a name that is not an input but is close to one", "cp803-a-misspelt-input"),
    Code("CP804", _E, "a column the data does not have", "cp804-an-unknown-column"),
    Code("CP805", _E, "a unit in a data map that cannot be read, or of the wrong kind", "cp805-a-bad-unit"),
    Code("CP806", _E, "a vocabulary entry naming a member its input does not list", "cp806-a-bad-vocabulary-entry"),
    Code("CP807", _E, "a map entry of the wrong form (a FHIR code, anchor, window or pattern that cannot be read)",
         "cp807-a-malformed-entry"),
    # CP9xx: the SQL back end (`carepath sql`, `--engine duckdb|spark`): each refuses the protocol, naming the construct
    Code("CP901", _E, "a construct the SQL back end does not compile (doses, targets, events, series, functions)",
         "cp901-a-construct-sql-does-not-compile"),
    Code("CP902", _E, "arithmetic whose exact value may need more than SQL's 38 decimal digits", "cp902-arithmetic-past-38-digits"),
)

#: Every code carepath can report, by code, in the order the docs list them.
CODES: Mapping[str, Code] = MappingProxyType({entry.code: entry for entry in _TABLE})


def lookup(code: str) -> Code:
    """The registered code, or ValueError naming this module, where an unknown one must be added first."""
    entry = CODES.get(code)
    if entry is None:
        raise ValueError(f"diagnostic code {code!r} is not registered: add it to carepath.language.codes and docs/diagnostics.md")
    return entry
