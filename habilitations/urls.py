"""Gestion des habilitations: the partner administrators' and responsables' screens."""

from django.urls import path

from habilitations.views import conventions, groups, imports, memberships, review, users

app_name = "habilitations"

urlpatterns = [
    path("", conventions.index, name="index"),
    path("mes-organismes/", conventions.organisms, name="organisms"),
    path("mes-conventions/", conventions.conventions, name="conventions"),
    path("types-de-partenaires/", conventions.partner_types, name="partner_types"),
    path("conventions/<int:convention_id>/", conventions.convention_detail, name="convention_detail"),
    path("conventions/<int:convention_id>/pdf/", conventions.convention_pdf, name="convention_pdf"),
    # Users
    path("mes-utilisateurs/", users.my_users, name="my_users"),
    path("conventions/<int:convention_id>/utilisateurs/", users.users, name="users"),
    path("conventions/<int:convention_id>/utilisateurs/creer/", users.user_create, name="user_create"),
    path("utilisateurs/<int:user_id>/", users.user_detail, name="user_detail"),
    path("utilisateurs/<int:user_id>/modifier/", users.user_update, name="user_update"),
    path("utilisateurs/<int:user_id>/cloturer/", users.user_close, name="user_close"),
    path(
        "utilisateurs/<int:user_id>/renvoi-identifiant/", users.user_resend_identifiant, name="user_resend_identifiant"
    ),
    # Groups and their habilitations
    path("conventions/<int:convention_id>/groupes/", groups.groups, name="groups"),
    path("conventions/<int:convention_id>/groupes/creer/", groups.group_create, name="group_create"),
    path("groupes/<int:group_id>/modifier/", groups.group_update, name="group_update"),
    path("groupes/<int:group_id>/habilitations/", groups.group_grants, name="group_grants"),
    path("groupes/<int:group_id>/profils/", groups.group_profiles_options, name="group_profiles_options"),
    path("groupes/<int:group_id>/appartenances/", groups.group_memberships, name="group_memberships"),
    # Memberships
    path("conventions/<int:convention_id>/ajouter-au-groupe/", memberships.membership_add, name="membership_add"),
    path("utilisateurs/<int:user_id>/appartenances/", memberships.user_memberships, name="user_memberships"),
    path("appartenances/<int:membership_id>/", memberships.membership_update, name="membership_update"),
    path(
        "conventions/<int:convention_id>/habilitations-non-utilisees/",
        review.unused_memberships,
        name="unused_memberships",
    ),
    # Bulk import of users and memberships
    path("conventions/<int:convention_id>/import/", imports.import_upload, name="import_upload"),
    path(
        "conventions/<int:convention_id>/import/modele/<str:file_format>/",
        imports.import_template,
        name="import_template",
    ),
    path("conventions/<int:convention_id>/import/<str:token>/", imports.import_apply, name="import_apply"),
    path(
        "conventions/<int:convention_id>/import/<str:token>/detail.csv",
        imports.import_report,
        name="import_report",
    ),
]
