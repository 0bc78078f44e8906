"""Protocol text in: source spans, diagnostics, the syntax tree (nodes), the parser (the only lark user), the formatter and the Pygments lexer."""
