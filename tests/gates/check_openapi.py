"""The OpenAPI file as a strict reader takes it (issue #30: prose with a comma in a flow mapping became keys).

Loads Resources/openapi.yaml with PyYAML refusing duplicate keys, checks that every description is a string and
that no key but a path is prose (has a space), and validates the document against the OpenAPI 3.1 schema.
Usage: python tests/gates/check_openapi.py [path]
"""
import sys

import yaml
from openapi_spec_validator import validate


class StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping."""


def _mapping(loader, node, deep=False):
    keys = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in keys:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        keys.add(key)
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def problems(doc):
    out = []

    def walk(o, path):
        if isinstance(o, dict):
            for k, v in o.items():
                here = path + [str(k)]
                if k == "description" and (not path or path[-1] != "properties") and not isinstance(v, str):
                    out.append("/".join(here) + ": a description that is not a string")
                if " " in str(k).strip() and not str(k).startswith("/"):
                    out.append("/".join(here) + ": a key with a space (prose after a comma read as a key?)")
                walk(v, here)
        elif isinstance(o, list):
            for i, v in enumerate(o):
                walk(v, path + [str(i)])

    walk(doc, [])
    return out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "Resources/openapi.yaml"
    with open(path, encoding="utf-8") as f:
        doc = yaml.load(f, Loader=StrictLoader)
    found = problems(doc)
    for p in found:
        print("FAIL", p)
    schema_ok = True
    try:
        validate(doc)
    except Exception as e:  # the validator's own error says where
        print("FAIL the OpenAPI 3.1 schema:", str(e).split("\n")[0])
        schema_ok = False
    # Two checks: the document's shape (strict YAML, descriptions, keys), and the OpenAPI 3.1 schema.
    failed = (1 if found else 0) + (0 if schema_ok else 1)
    print(f"openapi: {2 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
