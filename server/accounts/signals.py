"""What accounts announce to the layers above them, which accounts never import.

`credentials_changed` is sent inside the transaction that changed a user's password (reset
or change), after the row is saved, with `user` and `keep_session_id` (the session that
made the change and stays signed in; None for a reset). The tokens domain ends the user's
sessions on it (tokens/signals.py): the one home of "end sessions when credentials change".
"""

from __future__ import annotations

from django.dispatch import Signal

credentials_changed = Signal()
