"""Report: what a briefing says and shows (bottom line, chart, sections, changes) and its
rendering to HTML. May import briefings.data and briefings.inputs."""
