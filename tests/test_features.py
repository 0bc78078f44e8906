"""Binds features/*.feature to pytest: `testpaths` is tests/, so the feature files need this one call.

The steps come from the carepath pytest plugin (carepath.tooling.bdd); `pytest features/` also runs the files
directly, without this module.
"""

from pytest_bdd import scenarios

scenarios("../features")
