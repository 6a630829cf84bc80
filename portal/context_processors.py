from django.conf import settings


def portal(request):
    """Layout data: the session timers for the "Prolonger ma session" warning."""
    return {
        "session_idle_seconds": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
        "session_warning_seconds": int(settings.SESSION_WARNING_BEFORE.total_seconds()),
    }
