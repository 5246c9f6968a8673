"""The jobs as library functions: upgrade, deploy, validate and the picklist step.

Each composes the checks, the plans and the adapters into one call that the command line, the
CumulusCI task and a library user share, so none of them restates the composition.
"""
