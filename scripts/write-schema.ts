/**
 * Writes envs/gatehouse.schema.json, the JSON Schema of environment files, generated from the
 * same zod schema that validates them. Editors use it to validate and complete YAML envs
 * (`# yaml-language-server: $schema=...`). A test fails when the file is out of date.
 *
 *   npm run schema
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { EnvSchema } from "../modules/config/schema";

export const SCHEMA_FILE = join(__dirname, "..", "envs", "gatehouse.schema.json");

export function envJsonSchema(): string {
  const schema = z.toJSONSchema(EnvSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  const doc = {
    $schema: schema.$schema,
    title: "gatehouse environment",
    description: "One gatehouse environment: ports, controller, and an aws and/or gcp edge. See README, Environments.",
    ...schema,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

if (require.main === module) {
  const text = envJsonSchema();
  if (existsSync(SCHEMA_FILE) && readFileSync(SCHEMA_FILE, "utf8") === text) {
    process.stdout.write(`${SCHEMA_FILE} is current\n`);
  } else {
    // Written whole or not at all: editors and tests may be reading it.
    const tmp = `${SCHEMA_FILE}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, SCHEMA_FILE);
    process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
  }
}
