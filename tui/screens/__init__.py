"""Screens and dialogs: the stepping screens (main, compare) and what opens over them."""
