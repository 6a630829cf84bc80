from django import template

from portal.useragent import readable_user_agent

register = template.Library()


@register.filter
def navigateur(user_agent: str) -> str:
    """The browser and system a User-Agent names, readable ("Firefox 121 sur Windows")."""
    return readable_user_agent(user_agent)
