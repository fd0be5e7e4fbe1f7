#!/usr/bin/env python3
"""Validates JSON messages against a JSON Schema (draft-04, as Amazon's
Smart Home message schema is written) with the `jsonschema` package.

usage: validate_json_schema.py SCHEMA.json MESSAGES.json
MESSAGES.json is an object {name: message}. Prints one JSON object
{name: null | "the first error"} on stdout; exits 0 whatever the verdicts
(the caller decides which must pass), 2 when the schema itself is invalid.
"""
import json
import sys

import jsonschema


def main():
    schema_path, messages_path = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    try:
        jsonschema.Draft4Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        print(f"the schema is not a valid draft-04 schema: {e.message}", file=sys.stderr)
        sys.exit(2)
    validator = jsonschema.Draft4Validator(schema)
    with open(messages_path, encoding="utf-8") as f:
        messages = json.load(f)
    verdicts = {}
    for name, message in messages.items():
        errors = list(validator.iter_errors(message))
        if errors:
            best = jsonschema.exceptions.best_match(errors)
            where = "/".join(str(p) for p in best.absolute_path)
            verdicts[name] = f"{where}: {best.message[:300]}"
        else:
            verdicts[name] = None
    json.dump(verdicts, sys.stdout)


if __name__ == "__main__":
    main()
