from django.urls import path

from bailleur import views

app_name = "bailleur"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("locataires/", views.locataires, name="locataires"),
    path("locataires/<int:housing_id>/", views.locataire, name="locataire"),
]
