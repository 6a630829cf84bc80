from django.urls import path

from adonis import views

app_name = "adonis"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("famille/<uuid:reference>/", views.famille, name="famille"),
    path("famille/<uuid:reference>/demande/", views.demande_nouvelle, name="demande_nouvelle"),
    path("demandes/", views.demandes, name="demandes"),
    path("demandes/<int:request_id>/", views.demande, name="demande"),
    path("demandes/<int:request_id>/decision/", views.decision, name="decision"),
]
