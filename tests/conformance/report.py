"""Print how carepath fares on the CQL conformance cases: counts, the skipped cases by reason, any failure.

Run from the repository root: `python tests/conformance/report.py`. Exit status 1 when a case fails
(a wrong result, or a case the SKIPS table and the translator disagree about), 0 otherwise.
The script's own directory is on the import path when Python runs it, so the translator imports directly.
"""

from __future__ import annotations

import sys
from collections import defaultdict

from cql_translation import CASES_FILE, SKIPS, Untranslatable, cql_literal, load_cases, run, translate


def main() -> int:
    cases = load_cases()
    passed = 0
    skipped: dict[str, list[str]] = defaultdict(list)
    failures: list[str] = []
    for case in cases:
        try:
            translation = translate(case)
        except Untranslatable as reason:
            if case.name in SKIPS:
                skipped[SKIPS[case.name]].append(case.name)
            else:
                failures.append(f"{case.name}: cannot translate {case.expression!r} ({reason}) and it is not in SKIPS")
            continue
        if case.name in SKIPS:
            failures.append(f"{case.name}: translates, yet SKIPS says {SKIPS[case.name]!r}")
            continue
        outcome = run(translation)
        if outcome.passed:
            passed += 1
        else:
            failures.append(f"{case.name}: CQL {case.expression!r} is {cql_literal(translation.expected)}; "
                            f"carepath `{translation.expression}` gave {cql_literal(outcome.actual)}")
    names = {case.name for case in cases}
    failures.extend(f"{name}: in SKIPS but no such case" for name in sorted(set(SKIPS) - names))

    total_skipped = sum(len(group) for group in skipped.values())
    print(f"CQL conformance, {CASES_FILE.name}: {len(cases)} cases")
    print(f"passed {passed}, skipped {total_skipped}, failed {len(failures)}")
    if skipped:
        print(f"\nSkipped ({total_skipped}), by reason:")
        for reason, group in sorted(skipped.items(), key=lambda item: -len(item[1])):
            print(f"  {reason} ({len(group)}):")
            for name in group:
                print(f"    {name}")
    if failures:
        print(f"\nFailed ({len(failures)}):")
        for failure in failures:
            print(f"  {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
