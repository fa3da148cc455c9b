"""Inputs: reading the files a user names (dataset files, params files, specs, the
notebook's parameters cell) strictly and within bounds. May import only briefings.exceptions."""
