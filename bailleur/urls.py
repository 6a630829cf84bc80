from django.urls import path

from bailleur import views

app_name = "bailleur"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("locataires/", views.locataires, name="locataires"),
    path("locataires/<int:housing_id>/", views.locataire, name="locataire"),
    path("paiements/", views.paiements, name="paiements"),
    path("paiements/export.csv", views.paiements_export, name="paiements_export"),
    path("paiements/export.xlsx", views.paiements_export, {"file_format": "xlsx"}, name="paiements_export_xlsx"),
]
