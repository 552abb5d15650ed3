"""Tree as code: a declarative file of partners and their sub-orgs, its diff
against the database, and applying that diff through the services.

`document` reads and validates the file (plain Pydantic models, from which
docs/schemas/tree.schema.json is generated); `diff` compares two trees (plain);
`current` reads the database's tree; `nesting` places the orgs read (from the
database or the API) in the file's shape, one rule for both; `apply` makes a
diff's changes, one unit of work per org.
"""
