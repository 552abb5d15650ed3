"""Print the tree file's JSON Schema: `python -m tenantree.treeplan.schema`.

docs/schemas/tree.schema.json is this output; a test keeps them equal.
"""

from tenantree.treeplan.document import json_schema

if __name__ == "__main__":
    print(json_schema(), end="")
