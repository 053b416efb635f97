"""The UK PSTI statement of compliance (PSTI Act 2022 s.9, Regulations 2023 Schedule 4): a draft written from the
profile and the assessment, and a check of an existing statement for the items it must contain.

The list of items and the wording that evidences each is data (`data/statement/psti_statement.yaml`); every item
is marked unconfirmed there, as REFERENCE.md §3.4 has Schedule 4 from secondary sources only.
"""
