"""The kit every app shares. It imports no app of ours (habilitations, cdap, portal...): only Django and libraries."""
