from django.urls import path

from cdap import views_supervision

app_name = "supervision_cdap"

urlpatterns = [
    path("", views_supervision.consultations, name="consultations"),
    path("par-utilisateur-et-par-mois/", views_supervision.counts, name="counts"),
    path("export.csv", views_supervision.export, name="export"),
    path("export.xlsx", views_supervision.export, {"file_format": "xlsx"}, name="export_xlsx"),
]
