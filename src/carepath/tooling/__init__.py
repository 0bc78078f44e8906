"""Front ends for authors: the language server, the pytest-bdd plugin with its shipped steps, and the feature runner behind `carepath test`."""
