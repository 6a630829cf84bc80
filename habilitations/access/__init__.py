"""THE access layer of the portal. Every view declares exactly one rule from `habilitations.access.decorators`."""
