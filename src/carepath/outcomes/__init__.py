"""What happened after the decisions: survival by any decision or criterion (Kaplan–Meier with lifelines), the
care given against what the protocol recommended (audit deviations), and a tamper-evident decision log.

Reads `runtime` results and the records' follow-up and care (`data.followup`); the renderers in `render/` show it.
"""
