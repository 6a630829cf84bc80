from django.urls import path

from afas import views

app_name = "afas"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("administration-des-profils/", views.profils, name="profils"),
    path("administration-des-profils/habiliter/", views.habiliter, name="habiliter"),
    path("administration-des-profils/<int:pk>/supprimer/", views.role_end, name="role_end"),
]
