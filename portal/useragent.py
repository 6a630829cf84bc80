"""A readable "navigateur et système" from a User-Agent header, for Mon profil's recent logins ("Firefox 121 sur
Windows"): the common browsers and systems only; anything else reads "Navigateur inconnu"."""

import re

# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = [
    (re.compile(r"Edg(?:e|A|iOS)?/(\d+)"), "Edge"),
    (re.compile(r"(?:OPR|Opera)/(\d+)"), "Opera"),
    (re.compile(r"SamsungBrowser/(\d+)"), "Samsung Internet"),
    (re.compile(r"(?:Firefox|FxiOS)/(\d+)"), "Firefox"),
    (re.compile(r"(?:Chrome|CriOS)/(\d+)"), "Chrome"),
    (re.compile(r"Version/(\d+)[\d.]* (?:Mobile/\S+ )?Safari/"), "Safari"),
]
_SYSTEMS = [
    (re.compile(r"Android"), "Android"),
    (re.compile(r"iPhone|iPad|iPod"), "iOS"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Mac OS X|Macintosh"), "macOS"),
    (re.compile(r"Linux|X11"), "Linux"),
]


def readable_user_agent(user_agent: str) -> str:
    """ "Chrome 120 sur Windows", "Firefox 121", "Navigateur inconnu sur Linux", or "Navigateur inconnu"."""
    user_agent = user_agent or ""
    browser = next(
        (f"{name} {match.group(1)}" for pattern, name in _BROWSERS if (match := pattern.search(user_agent))),
        "Navigateur inconnu",
    )
    system = next((name for pattern, name in _SYSTEMS if pattern.search(user_agent)), None)
    return f"{browser} sur {system}" if system else browser
