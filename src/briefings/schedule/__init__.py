"""Schedule: briefings.yaml, the runner that builds what is due or changed, its clock, the
status store, the index and the notices. May import deliver and the layers below; never cli."""
