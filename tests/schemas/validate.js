// Validates a Teams manifest the way Microsoft's own tooling does
// (@microsoft/app-manifest's ManifestUtil.validateManifestAgainstSchema: Ajv with the draft-04
// dialect, allErrors, formats uri/email/regex), for tests/bot/teams/test_schema.py.
// Usage: node validate.js SCHEMA_FILE < manifest.json
// Prints a JSON list of [instancePath, message] pairs, empty when the manifest is valid.
// Offline: Ajv resolves only references inside the schema (no loadSchema is configured).
"use strict";
const fs = require("fs");
const Ajv04 = require("ajv-draft-04");
const addFormats = require("ajv-formats");

const schema = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const manifest = JSON.parse(fs.readFileSync(0, "utf8"));
const ajv = new Ajv04({ allErrors: true, strictTypes: false });
addFormats(ajv, ["uri", "email", "regex"]);
const validate = ajv.compile(schema);
validate(manifest);
const errors = (validate.errors || []).map((e) => [e.instancePath, e.message]);
process.stdout.write(JSON.stringify(errors));
