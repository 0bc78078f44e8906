"""Results out: the terminal tables (rich), the JSON run contract and the comparison and coverage views."""
