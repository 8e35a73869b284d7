"""News events: the curated catalogue, users' own files, and their alignment to sessions."""
