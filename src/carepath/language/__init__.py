"""Protocol text in: source spans, diagnostics, the syntax tree (nodes, expressions), the parser (the only
lark user), the expression printer, the formatter and the Pygments lexer."""
