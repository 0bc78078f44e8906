"""Patient data in: reading records files, binding each value to its input with units converted, dated series;
every fault a diagnostic naming patient, field and place.
"""
