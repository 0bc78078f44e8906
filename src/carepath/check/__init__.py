"""Syntax tree → checked program: names, types, units, parameters, doses, targets and events, each fault a located diagnostic."""
