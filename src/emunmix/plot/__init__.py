"""Plotting: matplotlib figures and widgets; reads signals and results, never computes."""
