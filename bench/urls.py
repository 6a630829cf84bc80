"""The portal's URLs plus the floor view; used by portal.settings.bench and portal.settings.bench_floor."""

from django.urls import path

from bench import views
from portal.urls import handler400, handler403, handler404, handler500
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [path("bench/floor/", views.floor, name="bench-floor"), *portal_urlpatterns]

__all__ = ["urlpatterns", "handler400", "handler403", "handler404", "handler500"]
