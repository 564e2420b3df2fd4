import type { Static, TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export class ConfigError extends Error {
  override name = 'ConfigError';
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
  secret: (key: string) => boolean = (key) => /KEY|SECRET|PASSWORD|TOKEN|URL/.test(key),
): Static<S> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(schema, Value.Default(schema, raw));
  const errors = [...Value.Errors(schema, converted)];
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const key = e.path.slice(1) || '(root)';
      const got = secret(key) ? '' : ` (got ${JSON.stringify(e.value)})`;
      return `  ${key}: ${e.message}${got}`;
    });
    throw new ConfigError(`invalid ${service} configuration:\n${lines.join('\n')}`);
  }
  return converted as Static<S>;
}
