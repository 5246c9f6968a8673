"""CTI Flows and CTI Actions: the model, reading them from files, and checking them.

The point of this package is to prove before anything reaches an org that every flow an action
runs reads only payload keys the action defines; a typo there otherwise surfaces as an empty
field in production.
"""
