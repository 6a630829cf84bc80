from django.urls import path

from cdap import views, views_help

app_name = "cdap"

urlpatterns = [
    path("", views.search, name="search"),
    path("dialogue/", views.dialogue_new, name="dialogue_new"),
    path("aide/", views_help.help_index, name="aide"),
    path("aide/dialogue/", views_help.help_dialogue, name="aide_dialogue"),
    path("aide/<slug:rubric>/", views_help.help_rubric, name="aide_rubrique"),
    path("<uuid:reference>/", views.synthese, name="synthese"),
    path("<uuid:reference>/attestation/", views.attestation, name="attestation"),
    path("<uuid:reference>/dialogue/", views.dialogue, name="dialogue"),
    path("<uuid:reference>/<slug:rubric>/", views.rubric, name="rubric"),
]
