"""An e-mail backend for the worker-kill test: the first message sent stalls (so the test can kill the pool process
that sends it, mid-task); every message, the first one included once redelivered, is then written like Django's
file backend. It is loaded by the Celery worker the test starts (EMAIL_BACKEND), never by the portal."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class StallingFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        marker = Path(os.environ["MCP_TEST_STALL_MARKER"])
        try:
            descriptor = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return super().send_messages(email_messages)
        # The first sender of the run: say which process it is, then stall until the test kills it.
        os.write(descriptor, str(os.getpid()).encode())
        os.close(descriptor)
        time.sleep(120)
        return super().send_messages(email_messages)
