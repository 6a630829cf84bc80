from django.urls import path

from cdap import views

app_name = "cdap"

urlpatterns = [
    path("", views.search, name="search"),
    path("dialogue/", views.dialogue_new, name="dialogue_new"),
    path("<uuid:reference>/", views.synthese, name="synthese"),
    path("<uuid:reference>/attestation/", views.attestation, name="attestation"),
    path("<uuid:reference>/dialogue/", views.dialogue, name="dialogue"),
    path("<uuid:reference>/<slug:rubric>/", views.rubric, name="rubric"),
]
