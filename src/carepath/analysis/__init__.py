"""Questions about a whole protocol: deep analysis (completeness proofs, counterexample patients), rule coverage,
and the one check pipeline every front end uses.
"""
