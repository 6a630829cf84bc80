"""The portal's URLs plus the floor view; used by portal.settings.bench and portal.settings.bench_floor.

`bench/admin/` is a second instance of the Caf agents' admin holding only the users' changelist, with the page size
of the partner screens' users list (25 rows instead of the admin's 100): the users list is compared with the admin
as configured and, at equal page size, with this one."""

from django.urls import path

from bench import views
from core.pagination import PAGE_SIZE
from habilitations.admin import UserAdmin
from habilitations.models import User
from portal.admin_site import CafAdminSite
from portal.urls import handler400, handler403, handler404, handler500
from portal.urls import urlpatterns as portal_urlpatterns


class SamePageSizeUserAdmin(UserAdmin):
    list_per_page = PAGE_SIZE


same_page_size_admin = CafAdminSite(name="bench_admin")
same_page_size_admin.register(User, SamePageSizeUserAdmin)

urlpatterns = [
    path("bench/floor/", views.floor, name="bench-floor"),
    path("bench/admin/", same_page_size_admin.urls),
    *portal_urlpatterns,
]

__all__ = ["urlpatterns", "handler400", "handler403", "handler404", "handler500"]
