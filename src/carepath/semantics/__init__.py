"""What values mean: Kleene truth, exact quantities and units, calendar durations, static types, built-in
functions, the operator table and the trace vocabulary (steps and facts).
"""
