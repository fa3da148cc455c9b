"""Data: the dataset contract, dates, recorded times, grades, typed parameters and the state
model. May import briefings.inputs, exceptions, paths and settings."""
