import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * The platform packages: `@agentwire/sdk` carries no native code; each platform's engine (the
 * `.node` addon and the `exec-bridge` binary, side by side) comes in a package of its own,
 * named `@agentwire/sdk-<platform>` as napi-rs projects name theirs (`linux-x64-gnu`,
 * `darwin-arm64`, `win32-x64-msvc`, …), an optional dependency that npm installs only where it
 * fits.
 */
export const PLATFORM_PACKAGE_PREFIX = "@agentwire/sdk-";

/** This machine's platform, as the platform packages are named: `linux-x64-gnu`, `darwin-arm64`, … */
export function platformKey(): string {
  const { platform, arch } = process;
  if (platform === "linux") return `linux-${arch}-${isMusl() ? "musl" : "gnu"}`;
  if (platform === "win32") return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

/** The platform package for this machine. */
export function platformPackageName(): string {
  return `${PLATFORM_PACKAGE_PREFIX}${platformKey()}`;
}

/** The addon's file name inside the platform package. */
export function addonFileName(key: string = platformKey()): string {
  return `agentwire.${key}.node`;
}

/** The engine binary's file name inside the platform package. */
export const BINARY_FILE = process.platform === "win32" ? "exec-bridge.exe" : "exec-bridge";

/** The installed platform package's folder, or `null` when it is not installed. */
export function platformPackageDir(): string | null {
  const require = createRequire(import.meta.url);
  try {
    return path.dirname(require.resolve(`${platformPackageName()}/package.json`));
  } catch {
    return null;
  }
}

/** A file of the installed platform package, or `null` when the package or the file is missing. */
export function platformFile(name: string): string | null {
  const dir = platformPackageDir();
  if (dir === null) return null;
  const file = path.join(dir, name);
  return existsSync(file) ? file : null;
}

function isMusl(): boolean {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return !report?.header?.glibcVersionRuntime;
}
