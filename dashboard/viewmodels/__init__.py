"""View-models: one module per screen, composing analytics and figures into what a page shows.

They take the cached reads and parsed parameters, and return plain data (figures as plotly
JSON, rows, notices as text). Pages only lay these out and wire callbacks; the CLI prints the
same frames.
"""
