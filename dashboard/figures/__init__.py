"""Plotly figures from DataFrames: pure functions, no I/O and no callbacks.

``theme`` owns colours (hover labels readable in light and dark), ``markers`` the news on the
charts, ``charts`` the figures themselves.
"""
