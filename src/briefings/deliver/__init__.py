"""Deliver: telling readers about published builds (mail, webhooks, the Atom feed), from plain
values the scheduler hands it. May import build and the layers below; never schedule or cli."""
