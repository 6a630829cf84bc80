import secrets

# Upper- and lower-case letters and digits, without the ambiguous ones: "distinguez les majuscules et les minuscules".
CAPTCHA_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"


def mixed_case_challenge():
    value = "".join(secrets.choice(CAPTCHA_ALPHABET) for _ in range(6))
    return value, value
