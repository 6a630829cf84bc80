"""An e-mail backend for the worker-kill tests: the first message sent stalls (so the test can kill the process that
sends it, mid-send); every other message, and that one once sent again, is written like Django's file backend.

MCP_TEST_STALL_MARKER is the file where the stalled process writes its pid; MCP_TEST_STALL_KIND, when set, stalls the
first message of that kind only; MCP_TEST_STALL_AFTER_WRITE=1 writes the message before stalling (the SMTP server
accepted it, the worker dies before recording it). Loaded by the Celery worker the test starts, never by the portal.
"""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class StallingFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        kind = os.environ.get("MCP_TEST_STALL_KIND", "")
        if not all(m.extra_headers["X-MCP-Email-Key"].startswith(kind) for m in email_messages):
            return super().send_messages(email_messages)
        try:
            descriptor = os.open(Path(os.environ["MCP_TEST_STALL_MARKER"]), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return super().send_messages(email_messages)
        # The first sender of the run: say which process it is, then stall until the test kills it.
        accepted = os.environ.get("MCP_TEST_STALL_AFTER_WRITE") == "1"
        if accepted:
            super().send_messages(email_messages)
        os.write(descriptor, str(os.getpid()).encode())
        os.close(descriptor)
        time.sleep(120)
        return len(email_messages) if accepted else super().send_messages(email_messages)
