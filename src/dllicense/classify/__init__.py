"""The classify stage: identify the collected licence texts (``texts``), then decide each
package's licence from all its evidence (``verdict``).

Below it sit the licence vocabulary and engines it uses (``dllicense.licenses``: SPDX
expressions, the text table, templates and scancode, copyright holders), which collect
uses too; above it, evaluate (``dllicense.policy``) applies the team's policy.
"""
