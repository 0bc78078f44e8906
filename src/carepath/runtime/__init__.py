"""Compiled protocol + bound records → decisions with their trace: the engine, and comparing two protocols over one cohort."""
