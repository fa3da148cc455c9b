"""Draft: from a saved article to candidate dataset rows, and accepting the analyst's edit.
May import briefings.data, inputs, exceptions, paths and settings; nothing above them."""
