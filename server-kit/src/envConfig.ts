import type { Static, TObject, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Settings whose values are never echoed back in an error. */
export const isSecretSetting = (key: string): boolean => /KEY|SECRET|PASSWORD|TOKEN|URL/.test(key);

/**
 * Reads the environment against a schema without throwing: defaults applied, strings converted,
 * empty strings counted as unset, and one line per bad or missing value, naming it.
 */
export function readEnv<S extends TObject>(
  schema: S,
  env: Record<string, string | undefined>,
  secret: (key: string) => boolean = isSecretSetting,
): { config: Static<S>; problems: string[] } {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(schema, Value.Default(schema, raw));
  // TypeBox reports a missing value twice (required, then its type): the first says it.
  const byKey = new Map<string, string>();
  for (const e of Value.Errors(schema, converted)) {
    const key = e.path.slice(1) || '(root)';
    const got = secret(key) || e.value === undefined ? '' : ` (got ${JSON.stringify(e.value)})`;
    if (!byKey.has(key)) byKey.set(key, `${key}: ${e.message}${got}`);
  }
  const problems = [...byKey.values()];
  return { config: converted as Static<S>, problems };
}

/**
 * Reads a service's configuration from the environment against its schema: defaults applied,
 * strings converted, and every bad or missing value named in one error that stops the process.
 * Empty strings count as unset. Secrets are never echoed back.
 */
export function loadEnvConfig<S extends TObject>(
  schema: S,
  service: string,
  env: Record<string, string | undefined>,
  secret: (key: string) => boolean = isSecretSetting,
): Static<S> {
  const { config, problems } = readEnv(schema, env, secret);
  if (problems.length > 0) throw new ConfigError(configErrorMessage(service, problems));
  return config;
}

/** A service's start: its configuration, or the ConfigError's message on stderr and exit 1. */
export function loadConfigOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}

export function configErrorMessage(service: string, problems: readonly string[]): string {
  return `invalid ${service} configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`;
}

/**
 * A service's `.env.example`, generated from its schema so that it cannot drift: each setting
 * with its description, set to its default (commented out when optional without one, left empty
 * when required without an example). Defaults that depend on the machine are overridden in
 * `fixed` (null: commented out).
 */
export function renderEnvExample(
  schema: TObject,
  header: readonly string[],
  fixed: Readonly<Record<string, string | null>> = {},
): string {
  const required = new Set(schema.required ?? []);
  const lines = header.map((h) => `# ${h}`.trimEnd());
  for (const [key, prop] of Object.entries(schema.properties) as [string, TSchema][]) {
    lines.push('');
    if (typeof prop.description === 'string') {
      for (const line of prop.description.split('\n')) lines.push(`# ${line}`.trimEnd());
    }
    const example = key in fixed ? fixed[key] : exampleValue(prop);
    if (example === null) lines.push(`#${key}=`);
    else if (example !== undefined) lines.push(`${key}=${example}`);
    else if (required.has(key)) lines.push(`${key}=`);
    else lines.push(`#${key}=`);
  }
  return `${lines.join('\n')}\n`;
}

function exampleValue(prop: TSchema): string | undefined {
  const value = prop.default ?? (Array.isArray(prop.examples) ? prop.examples[0] : undefined);
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
