"""Plain values: the plan every report reads, a value set and its edit, CTI content.

Pure data and the rules that are functions of it alone (no files, no org, no output): the same
values serve a repository and an org, so both plan identically.
"""
