"""The password policy of Mon Compte Partenaire (guide 004, CNIL deliberation 2022-100).

8 to 32 characters with an upper-case letter, a lower-case letter, a digit and a special character;
currency symbols are not special characters; not the identifiant, the name or the e-mail; not one of
the last 5 passwords; not a common password.
"""

import re
import secrets
import unicodedata

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

# Passwords French users pick that Django's English list misses.
FRENCH_COMMON = {
    "azerty",
    "azertyuiop",
    "motdepasse",
    "soleil",
    "bonjour",
    "doudou",
    "chouchou",
    "loulou",
    "marseille",
    "caf",
    "cafcaf",
    "allocation",
    "allocations",
    "partenaire",
    "moncompte",
    "moncomptepartenaire",
    "france",
    "coucou",
    "nicolas",
    "camille",
    "julien",
    "jetaime",
    "qwertz",
    "password",
    "administrateur",
    "utilisateur",
}


def is_currency(ch: str) -> bool:
    return unicodedata.category(ch) == "Sc"


def is_special(ch: str) -> bool:
    """A special character: printable, neither a letter, a digit, a space nor a currency symbol (€ £ $ ¥ ¢ …)."""
    return not ch.isalnum() and not ch.isspace() and ch.isprintable() and not is_currency(ch)


class LengthValidator:
    def __init__(self):
        self.min_length = settings.PASSWORD_MIN_LENGTH
        self.max_length = settings.PASSWORD_MAX_LENGTH

    def validate(self, password, user=None):
        if not self.min_length <= len(password) <= self.max_length:
            raise ValidationError(
                f"Le mot de passe doit contenir entre {self.min_length} et {self.max_length} caractères.",
                code="password_length",
            )

    def get_help_text(self):
        return f"Entre {self.min_length} et {self.max_length} caractères."


class CharacterClassesValidator:
    def validate(self, password, user=None):
        missing = []
        if not any(ch.isupper() for ch in password):
            missing.append("une majuscule")
        if not any(ch.islower() for ch in password):
            missing.append("une minuscule")
        if not any(ch.isdigit() for ch in password):
            missing.append("un chiffre")
        if not any(is_special(ch) for ch in password):
            missing.append("un caractère spécial (hors symbole monétaire € £ $ …)")
        if missing:
            raise ValidationError(
                "Le mot de passe doit comprendre au moins " + ", ".join(missing) + ".", code="password_classes"
            )
        if "\x00" in password or any(unicodedata.category(ch) == "Cc" for ch in password):
            raise ValidationError("Le mot de passe contient un caractère non autorisé.", code="password_control")

    def get_help_text(self):
        return (
            "Au moins une majuscule, une minuscule, un chiffre et un caractère spécial "
            "(les symboles monétaires € £ $ … ne comptent pas)."
        )


class PersonalDataValidator:
    """Refuses a password equal to or containing the identifiant, the name, the first name or the e-mail."""

    MIN_PART = 3

    def validate(self, password, user=None):
        if user is None:
            return
        lowered = password.casefold()
        email = (getattr(user, "email", "") or "").casefold()
        parts = [getattr(user, "identifiant", ""), getattr(user, "nom", ""), getattr(user, "prenom", "")]
        parts += [email, email.split("@")[0]]
        for part in parts:
            part = (part or "").casefold().strip()
            if len(part) >= self.MIN_PART and part in lowered:
                raise ValidationError(
                    "Le mot de passe ne doit contenir ni votre identifiant, ni votre nom, ni votre adresse mail.",
                    code="password_personal",
                )

    def get_help_text(self):
        return "Ni votre identifiant, ni votre nom, ni votre adresse mail."


class HistoryValidator:
    """Not one of the previous passwords (the current one included)."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        if user.has_usable_password() and not user.has_provisional_password and user.check_password(password):
            raise ValidationError(self._message(), code="password_reused")
        hashes = user.password_history.values_list("password", flat=True)[: settings.PASSWORD_HISTORY_SIZE]
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(self._message(), code="password_reused")

    def password_changed(self, password, user=None):
        if user is None or user.pk is None or user.has_provisional_password:
            return
        user.password_history.create(password=user.password)
        keep = list(user.password_history.values_list("pk", flat=True)[: settings.PASSWORD_HISTORY_SIZE])
        user.password_history.exclude(pk__in=keep).delete()

    def _message(self):
        return f"Le mot de passe ne doit pas être l'un de vos {settings.PASSWORD_HISTORY_SIZE} derniers mots de passe."

    def get_help_text(self):
        return f"Différent de vos {settings.PASSWORD_HISTORY_SIZE} derniers mots de passe."


class FrenchCommonPasswordValidator(CommonPasswordValidator):
    def validate(self, password, user=None):
        lowered = password.lower().strip()
        core = re.sub(r"[^a-zà-ÿ]", "", lowered)
        if lowered in self.passwords or core in FRENCH_COMMON or core in self.passwords and len(core) >= 6:
            raise ValidationError("Ce mot de passe est trop courant.", code="password_too_common")

    def get_help_text(self):
        return "Pas un mot de passe courant."


def generate_provisional_password(length: int = 16) -> str:
    """A random password that satisfies the policy (about 95 bits), without ambiguous characters."""
    upper, lower, digits, special = "ABCDEFGHJKMNPQRSTUVWXYZ", "abcdefghjkmnpqrstuvwxyz", "23456789", "!#%*+-=?@_"
    chars = [secrets.choice(upper), secrets.choice(lower), secrets.choice(digits), secrets.choice(special)]
    pool = upper + lower + digits + special
    chars += [secrets.choice(pool) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
