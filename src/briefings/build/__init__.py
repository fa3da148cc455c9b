"""Build: one briefing from parameters to a published folder (check, execute, render,
publish). May import report, data and inputs; never schedule or deliver."""
