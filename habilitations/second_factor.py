"""Second-factor services: a Caf agent resets the second factor of an account of their Caf (a lost phone and lost
backup codes: "Problème de connexion" sends the person to their Caf). Every write journaled."""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from habilitations.journal import Event, journal_write
from habilitations.models import BackupCodeDevice, User


@transaction.atomic
def second_factor_reset(user: User, *, actor: User, request=None) -> bool:
    """Remove the account's authentication application and backup codes: at the next login the person enrols a new
    application (QR code) and gets new codes. A session already past the second factor must pass it again. Returns
    False (nothing written) when the account had no second factor."""
    totp = TOTPDevice.objects.filter(user=user)
    backup = BackupCodeDevice.objects.filter(user=user)
    had = {"application": totp.filter(confirmed=True).exists(), "codes": backup.exists()}
    if not (had["application"] or had["codes"] or totp.exists()):
        return False
    totp.delete()
    backup.delete()  # its codes go with it (on_delete=CASCADE)
    journal_write(
        Event.OTP_RESET,
        request=request,
        user=user,
        actor=actor,
        identifiant=user.identifiant,
        organism=user.organism,
        application=had["application"],
        codes=had["codes"],
    )
    return True
