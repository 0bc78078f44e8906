"""How long `carepath check` (with the deep analysis) takes on the protocol files that once crashed or hung it.

    python benchmarks/hostile.py            # each case once, after a warm-up (about 20 s)
    python benchmarks/hostile.py --json out.json

Each case is the minimal form of a problem found by fuzzing (see docs/limits.md); the table gives the time to
the report, and the codes reported (a limit's code, or the ordinary findings of a protocol within the limits).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from carepath import Source, check_source

HEAD = ("protocol p\ninput\n  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL\n"
        "  age : duration plausible 0 days .. 20 years\n  flag : boolean\n")


def criterion(expr: str) -> str:
    return HEAD + f"criterion c: {expr}\nrecommend r: when c\n"


CASES: dict[str, Callable[[], str]] = {
    "integer of 5,000 digits": lambda: criterion("wbc > " + "9" * 5_000 + " /uL"),
    "1e5000 /uL": lambda: criterion("wbc > 1e5000 /uL"),
    "1 10*99999999/L": lambda: criterion("wbc > 1 10*99999999/L"),
    "days 1 to 99999999999999999999": lambda: HEAD + "dose d in mg: 1 mg given daily on days 1 to 99999999999999999999\n",
    "days 1 to 99999999": lambda: HEAD + "dose d in mg: 1 mg given daily on days 1 to 99999999\n",
    "age < 99999999 years": lambda: criterion("age < 99999999 years"),
    "1,000 chained criteria": lambda: HEAD + "criterion c0: flag\n" + "".join(f"criterion c{i}: c{i - 1}\n" for i in range(1, 1000)),
    "125 chained criteria (within the limit)": lambda: (HEAD + "criterion c0: flag\n" + "".join(f"criterion c{i}: c{i - 1}\n" for i in range(1, 126))
                                                        + "recommend r: when c125\n"),
    "480 misspelt names among 480 criteria": lambda: (HEAD + "".join(f"criterion criterion_{i}: wbc > {i + 1} /uL\n" for i in range(480))
                                                      + "".join(f"criterion d{i}: criterio_{i}\n" for i in range(480))),
    "500 month thresholds": lambda: (HEAD + "".join(f"criterion c{i}: age < {i + 1} months\n" for i in range(500))
                                     + "recommend r: when " + " or ".join(f"c{i}" for i in range(250)) + "\n"),
    "990 thresholds on one input": lambda: (HEAD + "".join(f"criterion c{i}: wbc > {i + 1} /uL\n" for i in range(990))
                                            + "recommend r: when " + " or ".join(f"c{i}" for i in range(100)) + "\n"),
    "comment of 20,000 digits": lambda: HEAD + "#" + "1" * 20_000 + "\ncriterion c: wbc > 5 otherwise\n",
    "200,000 nested parentheses": lambda: criterion("(" * 200_000 + "flag" + ")" * 200_000),
    "and of 50,000 operands": lambda: criterion(" and ".join(["flag"] * 50_000)),
    "and of 256 comparisons (within the limit)": lambda: criterion(" and ".join(f"wbc > {i} /uL" for i in range(1, 257))),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    check_source(Source("warm.care", criterion("wbc > 5 /uL")))  # imports and the unit registry, once
    rows = []
    for name, make in CASES.items():
        text = make()
        start = time.perf_counter()
        report = check_source(Source("case.care", text))
        seconds = time.perf_counter() - start
        codes = sorted({d.code for d in report.diagnostics})
        rows.append({"case": name, "bytes": len(text.encode("utf-8")), "seconds": round(seconds, 3), "codes": codes})
        print(f"{name:45} {len(text):>9,} bytes {seconds:7.3f} s  {' '.join(codes)}", flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(rows, out, indent=1)


if __name__ == "__main__":
    main()
