"""Deliver: telling readers about published builds (mail, webhooks, the Atom feed).
May import build and everything below it; never schedule."""
