from django.urls import path

from afas import views

app_name = "afas"

urlpatterns = [
    path("", views.accueil, name="accueil"),
]
