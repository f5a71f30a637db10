"""tui: the Textual dashboard, a view over an ``lstm_engine`` session."""
