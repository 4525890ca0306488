// Validate a Teams app manifest.json, and the localization files it lists, offline against
// the JSON schemas bundled in @microsoft/app-manifest.
//
//   node tests/manifest_validate.mjs path/to/manifest.json
//
// Prints {"errors": [...], "validator": "..."} on stdout. Exit 0 when valid, 1 when invalid,
// 2 when the files or their schemas cannot be read. Schemas are never fetched from the network.
//
// The validator is the package's AppManifestUtils.validateAgainstSchema. @microsoft/app-manifest
// 1.1.2 requires fs-extra at load time without declaring it as a dependency; when fs-extra is
// not installed, this script validates with the package's own dependencies instead (ajv-draft-04
// or ajv 2020 + ajv-formats), configured exactly as validateAgainstSchema configures them.
//
// Localization files are always checked with that ajv setup plus `unicodeRegExp: false`: every
// bundled MicrosoftTeams.Localization.schema.json has a pattern (`...\\b]\\.description$`) that
// is a valid JavaScript regex but not a valid *unicode* one, so ajv's default (and hence
// validateAgainstSchema) cannot compile that schema at all.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const PACKAGE = "@microsoft/app-manifest";

class UnreadableError extends Error {}

function packageRequire() {
  const require = createRequire(import.meta.url);
  try {
    return createRequire(require.resolve(PACKAGE));
  } catch {
    throw new UnreadableError(`${PACKAGE} is not installed: run npm ci in the repository root`);
  }
}

let requireFromPackage; // set by main, so a missing package is reported as JSON like any other problem
let PACKAGE_BUILD_DIR;

function packageValidator() {
  try {
    const { AppManifestUtils } = requireFromPackage(PACKAGE);
    return {
      name: "AppManifestUtils.validateAgainstSchema",
      validate: (content, schema) => AppManifestUtils.validateAgainstSchema(content, schema),
    };
  } catch (error) {
    if (error.code !== "MODULE_NOT_FOUND") throw error;
    return { name: `ajv from ${PACKAGE}'s dependencies (package load failed: ${error.message.split("\n")[0]})`, validate: ajvValidate };
  }
}

// Same configuration as AppManifestUtils.validateAgainstSchema in @microsoft/app-manifest 1.1.2.
function ajvValidate(content, schema, extraOptions = {}) {
  const Ajv = schema.$schema?.includes("2020-12")
    ? requireFromPackage("ajv/dist/2020").default
    : requireFromPackage("ajv-draft-04").default;
  const addFormats = requireFromPackage("ajv-formats").default;
  const ajv = new Ajv({ allErrors: true, strictTypes: false, ...extraOptions });
  addFormats(ajv, ["uri", "email", "regex"]);
  const validate = ajv.compile(schema);
  if (validate(JSON.parse(JSON.stringify(content)))) return [];
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath} ${error.message || ""}. Details: ${error.params ? JSON.stringify(error.params) : ""}`,
  );
}

function readJson(file, cleanEscapes = false) {
  try {
    let text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
    // Some bundled schemas contain \a and \v escapes, which JSON does not allow (the package cleans them the same way).
    if (cleanEscapes) text = text.replace(/\\a/g, "\\u0007").replace(/\\v/g, "\\u000b");
    return JSON.parse(text);
  } catch (error) {
    throw new UnreadableError(`${file}: cannot read JSON: ${error.message}`);
  }
}

function bundledSchema(schemaUrl, file) {
  const match = /\/json-schemas\/(teams\/[^/]+\/[^/]+\.json)$/.exec(schemaUrl ?? "");
  const local = match && path.join(PACKAGE_BUILD_DIR, "json-schemas", match[1]);
  if (!local || !existsSync(local)) {
    throw new UnreadableError(`${file}: $schema ${JSON.stringify(schemaUrl)} is not a schema bundled in ${PACKAGE}`);
  }
  return readJson(local, true);
}

async function validateFile(validator, file, fallbackSchemaUrl) {
  const content = readJson(file);
  const schema = bundledSchema(content.$schema ?? fallbackSchemaUrl, file);
  const errors = await validator.validate(content, schema);
  return { content, errors: errors.map((error) => `${path.basename(file)}: ${error}`) };
}

const localizationValidator = {
  name: "ajv (unicodeRegExp: false)",
  validate: (content, schema) => ajvValidate(content, schema, { unicodeRegExp: false }),
};

async function validatePackage(validator, manifestPath) {
  const { content: manifest, errors } = await validateFile(validator, manifestPath);
  const localizationSchemaUrl = (manifest.$schema ?? "").replace(/[^/]+\.json$/, "MicrosoftTeams.Localization.schema.json");
  const info = manifest.localizationInfo ?? {};
  const files = (info.additionalLanguages ?? []).map((language) => language.file);
  if (info.defaultLanguageFile) files.unshift(info.defaultLanguageFile);
  for (const name of files) {
    const file = path.join(path.dirname(manifestPath), name);
    if (!existsSync(file)) {
      errors.push(`${name}: listed in localizationInfo but missing next to manifest.json`);
      continue;
    }
    errors.push(...(await validateFile(localizationValidator, file, localizationSchemaUrl)).errors);
  }
  return errors;
}

let validator = { name: "none" };
try {
  if (!process.argv[2]) throw new UnreadableError("usage: node tests/manifest_validate.mjs path/to/manifest.json");
  requireFromPackage = packageRequire();
  PACKAGE_BUILD_DIR = path.dirname(requireFromPackage.resolve(PACKAGE));
  validator = packageValidator();
  const errors = await validatePackage(validator, process.argv[2]);
  console.log(JSON.stringify({ errors, validator: `${validator.name}; localization files: ${localizationValidator.name}` }));
  process.exitCode = errors.length ? 1 : 0;
} catch (error) {
  console.log(JSON.stringify({ errors: [error.message], validator: validator.name }));
  process.exitCode = 2;
}
