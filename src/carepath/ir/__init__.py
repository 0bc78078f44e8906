"""The checked program: every definition resolved and typed, the one form the compilers accept."""
