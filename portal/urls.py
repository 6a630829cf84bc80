from captcha import views as captcha_views
from django.contrib import admin
from django.urls import include, path, re_path

from habilitations.access.decorators import public as public_rule
from portal.views import auth, documents, errors, faq, guides, home, public, services
from portal.views import support as support_views

portal_patterns = [
    # Public pages
    path("", public.accueil, name="accueil"),
    path("ma-caf/", public.ma_caf, name="ma_caf"),
    path("regles-d-usage/", public.regles_usage, name="regles_usage"),
    path("accessibilite/", public.accessibilite, name="accessibilite"),
    path("informatique-et-libertes/", public.informatique_libertes, name="informatique_libertes"),
    path("probleme-de-connexion/", public.probleme_connexion, name="probleme_connexion"),
    path("questions-reponses/", faq.questions_reponses, name="faq"),
    path("guides/<slug:slug>.pdf", guides.guide_pdf, name="guide_pdf"),
    path("documents/<str:caf_code>/<slug:slug>.pdf", documents.document_pdf, name="document_pdf"),
    # Authentication
    path("connexion/", auth.login_view, name="login"),
    path("bailleur/connexion/", auth.login_bailleur, name="login_bailleur"),
    path("deconnexion/", auth.logout_view, name="logout"),
    path("mot-de-passe-oublie/", auth.password_forgotten, name="password_forgotten"),
    path("mot-de-passe-oublie/envoye/", auth.password_forgotten_done, name="password_forgotten_done"),
    path("premiere-connexion/", auth.password_first, name="password_first"),
    path("double-authentification/", auth.otp_verify, name="otp_verify"),
    path("double-authentification/enrolement/", auth.otp_setup, name="otp_setup"),
    path("session/prolonger/", auth.session_prolong, name="session_prolong"),
    # Logged in
    path("accueil/", home.home, name="home"),
    path("mon-profil/", home.profile, name="profile"),
    path("mon-profil/mot-de-passe/", auth.password_change_view, name="password_change"),
    path("mon-profil/adresse-mail/", home.profile_email, name="profile_email"),
    path("mon-profil/adresse-mail/confirmer/<str:token>/", home.profile_email_confirm, name="profile_email_confirm"),
    path("mon-profil/telephone/", home.profile_phone, name="profile_phone"),
    path("mon-profil/codes-de-secours/", auth.backup_codes_regenerate, name="backup_codes"),
    path("changement-d-administrateur/", support_views.administrator_change, name="administrator_change"),
    path("contacter-ma-caf/", support_views.caf_contact, name="caf_contact"),
    # The services whose screens come later: a page of the service (what it will offer, whom to contact).
    path("offre-dgfip/", services.dgfip, name="service_dgfip"),
    path("supervision-dgfip/", services.supervision_dgfip, name="service_supervision_dgfip"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("gestion-des-habilitations/", include("habilitations.urls")),
    path("supervision-consulter-dossier/", include("cdap.urls_supervision")),
    path("consulter-dossier/", include("cdap.urls")),
    path("espace-bailleur/", include("bailleur.urls")),
    path("aide-financiere-d-action-sociale/", include("afas.urls")),
    path("adonis/", include("adonis.urls")),
    # django-simple-captcha's views, declared public (the "Mot de passe oublié ?" page uses them).
    re_path(
        r"^captcha/image/(?P<key>\w+)/$",
        public_rule(captcha_views.captcha_image),
        name="captcha-image",
        kwargs={"scale": 1},
    ),
    re_path(
        r"^captcha/image/(?P<key>\w+)@2/$",
        public_rule(captcha_views.captcha_image),
        name="captcha-image-2x",
        kwargs={"scale": 2},
    ),
    re_path(r"^captcha/audio/(?P<key>\w+).wav$", public_rule(captcha_views.captcha_audio), name="captcha-audio"),
    re_path(r"^captcha/refresh/$", public_rule(captcha_views.captcha_refresh), name="captcha-refresh"),
    path("admin/", admin.site.urls),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
