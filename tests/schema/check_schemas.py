#!/usr/bin/python3
"""The JSON Schemas of schema/ against the loaders (Debian's python3-jsonschema, python3-yaml):
every shipped challenge and event YAML must pass, and every case of tests/bad_inputs whose
error is a matter of structure (an unknown or missing key, a wrong type, a value out of range,
as its expected message says) must fail. Prints one line per problem, then
'N passed, N failed'; exits 1 on any failure."""
import glob
import json
import os
import re
import sys

import jsonschema
import yaml

root = sys.argv[1]


# YAML 1.2's booleans, as the loaders read them: 'yes' and 'on' are strings, not booleans.
class Loader(yaml.SafeLoader):
    pass


Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:bool"]
                                  for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                             list("tTfF"))


def load(path):
    with open(path) as f:
        return yaml.load(f, Loader=Loader)


schemas = {kind: json.load(open(os.path.join(root, "schema", kind + ".schema.json"))) for kind in ("challenge", "event")}
validators = {k: jsonschema.Draft7Validator(s) for k, s in schemas.items()}
for s in schemas.values():
    jsonschema.Draft7Validator.check_schema(s)

# Messages of the loaders that mean "the structure is wrong" (the schema's business); other
# messages are cross-field rules, syntax or file problems that a schema cannot express.
STRUCTURAL = re.compile(
    r"unknown key|missing required key|expected a number|expected an integer|expected a string|"
    r"expected a non-empty string|expected one of|expected true or false|expected a mapping|expected a sequence|"
    r"expected at most|expected at least one|expected lower-case|expected a name of|expected a metric name|"
    r"the first dimension must be 'batch'|only the first dimension|unsupported schema version")
passed = failed = 0


def result(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


shipped = glob.glob(os.path.join(root, "challenges", "*", "challenge.yaml")) + glob.glob(
    os.path.join(root, "tests", "data", "*", "challenge.yaml"))
for f in sorted(shipped):
    errors = list(validators["challenge"].iter_errors(load(f)))
    result(not errors, "%s does not pass: %s" % (f, errors[0].message if errors else ""))
    first = open(f).readline()
    result("yaml-language-server: $schema=" in first or "tests/data" in f, "%s: no yaml-language-server line first" % f)
for f in sorted(glob.glob(os.path.join(root, "configs", "*.yaml"))):
    result("yaml-language-server: $schema=" in open(f).readline(), "%s: no yaml-language-server line first" % f)
    errors = list(validators["event"].iter_errors(load(f)))
    result(not errors, "%s does not pass: %s" % (f, errors[0].message if errors else ""))

structural = 0
for kind in ("challenge", "event"):
    for expect in sorted(glob.glob(os.path.join(root, "tests", "bad_inputs", kind, "*.expect"))):
        case = expect[: -len(".expect")] + ".yaml"
        lines = open(expect).read().splitlines()
        messages = [l[len("stderr: "):] for l in lines if l.startswith("stderr: ")]
        if not os.path.exists(case) or not messages or not STRUCTURAL.search(messages[0]):
            continue
        # Not the schema's business: syntax, a problem in another file (a challenge an event
        # names), a plugin map keyed by the event's challenge ids, a bound taken from another
        # field (num_classes), NaN and infinity (YAML has them, JSON does not).
        if "YAML syntax error" in messages[0] or not messages[0].startswith("{FILE}") or ".plugins." in messages[0] or "(num_classes)" in messages[0] \
                or re.search(r"got '?[-+]?\.(nan|inf)", messages[0], re.I):
            continue
        try:
            document = load(case)
        except yaml.YAMLError:
            continue
        structural += 1
        result(not validators[kind].is_valid(document), "%s passes the schema but the loader says: %s" % (case, messages[0]))

print("%d structural bad inputs checked" % structural)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
