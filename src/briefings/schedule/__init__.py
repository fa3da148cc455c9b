"""Schedule: briefings.yaml, the runner that builds what is due or changed, its clock
and status index. May import deliver, build and everything below."""
