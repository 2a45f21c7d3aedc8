/** A JSON value that can be written as a TOML value. */
export type ConfigValue = string | number | boolean | ConfigValue[] | ConfigObject;
/** Configuration overrides, nested as in `config.toml`. */
export type ConfigObject = { [key: string]: ConfigValue };

/** The TOML literal of a value. */
function toToml(value: ConfigValue, path: string): string {
  if (typeof value === "string") {
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new TypeError(`config.${path}: ${value} cannot be written as TOML`);
    }
    return String(value);
  }
  if (typeof value === "boolean") {
    return String(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, i) => toToml(item, `${path}[${i}]`)).join(", ")}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([key, inner]) => `${JSON.stringify(key)} = ${toToml(inner, `${path}.${key}`)}`);
    return `{ ${entries.join(", ")} }`;
  }
  throw new TypeError(`config.${path}: ${String(value)} cannot be written as TOML`);
}

/**
 * Flattens `config` into `--config key=<TOML value>` arguments, one per leaf: nested objects
 * become dotted keys (`{sandbox_workspace_write: {network_access: true}}` gives
 * `--config sandbox_workspace_write.network_access=true`).
 */
export function configArgs(config: ConfigObject | undefined): string[] {
  const args: string[] = [];
  const walk = (object: ConfigObject, prefix: string) => {
    for (const [key, value] of Object.entries(object)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        walk(value, path);
      } else {
        args.push("--config", `${path}=${toToml(value, path)}`);
      }
    }
  };
  if (config) {
    walk(config, "");
  }
  return args;
}
