"""Pure finance functions on pandas objects: no I/O, inputs never mutated.

Naming follows ffn: ``to_*`` returns a transformed Series/DataFrame, ``calc_*`` a number or summary.
"""
