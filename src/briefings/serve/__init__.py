"""Serve: the local web server (the live index, the form that orders a view, the build
queue, the preview that reloads on save). May import deliver and the layers below; never
schedule (cli hands it the schedule's index) or cli."""
