"""Build: one briefing from parameters to a published folder (check, execute, render,
publish). May import report and the layers below; never deliver, schedule or cli."""
