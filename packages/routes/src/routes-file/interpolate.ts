/** A `${VAR}` or `${VAR:-default}` that a routes file refers to. */
export interface EnvReference {
  readonly path: string;
  readonly variable: string;
  /** True when the variable was unset and the file's default was used. */
  readonly usedDefault: boolean;
}

export interface InterpolationResult {
  /** False when some variable is unset and has no default. */
  readonly ok: boolean;
  /** The document with every reference replaced (an unset one by ""). */
  readonly value: unknown;
  readonly references: EnvReference[];
  /** One per unset variable without a default, naming where it is used. */
  readonly problems: string[];
  /** Paths (as in `problems`) whose value is missing, so a validator can keep quiet about them. */
  readonly missingPaths: ReadonlySet<string>;
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed YAML document, so
 * secrets stay in the environment and out of the file. An unset variable without a default
 * is a problem named by its path in the file; the rest of the document is still returned so
 * the file's other problems can be found in the same run.
 */
export function interpolateEnv(document: unknown, env: Record<string, string | undefined>): InterpolationResult {
  const problems: string[] = [];
  const references: EnvReference[] = [];
  const missingPaths = new Set<string>();

  const visit = (value: unknown, path: string): unknown => {
    if (typeof value === "string") {
      return value.replace(REFERENCE, (_match, variable: string, fallback: string | undefined) => {
        const set = env[variable];
        if (set !== undefined && set !== "") {
          references.push({ path, variable, usedDefault: false });
          return set;
        }
        if (fallback !== undefined) {
          references.push({ path, variable, usedDefault: true });
          return fallback;
        }
        problems.push(`${path}: environment variable ${variable} is not set (and the file gives no default)`);
        missingPaths.add(path);
        return "";
      });
    }
    if (Array.isArray(value)) return value.map((item, i) => visit(item, `${path}[${i}]`));
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visit(item, path ? `${path}.${key}` : key)]));
    }
    return value;
  };

  const value = visit(document, "");
  return { ok: problems.length === 0, value, references, problems, missingPaths };
}
