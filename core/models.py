"""The models of the shared kit, for Django's app registry (each lives in its module)."""

from core.history import StateChange  # noqa: F401
from core.mail.models import OutgoingEmail  # noqa: F401
