"""Checked program → evaluators: per-record closures (value and explain), the column path for cohorts and the
needs analysis, all lifted from the operator table.
"""
