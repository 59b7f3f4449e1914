/**
 * Options that belong to their owner: a loss, a kind of GAN or an architecture declares the config keys only it
 * reads (each with its schema, its default and a line of what it does), and registering the owner declares them.
 * The run config is the harness's core keys (`lib/experiment/config.ts`) and every declared option; a key that
 * two owners read (`gpWeight`, read by `wgan-gp` and `dragan`) is declared once and shared by both.
 *
 * An option set off its default for a run whose owners do not read it is refused when the sweep is planned
 * (`lib/experiment/plan.ts`): it would be silently ignored.
 * @module
 */
import type { z } from "zod";

/** One option: its schema, its default and what it does. */
export interface OptionSpec<T = unknown> {
  /** What the option does, in a line (the owner's name is said for it). */
  doc: string;
  /** The values it accepts (zod). */
  schema: z.ZodType<T>;
  /**
   * Its value where a config does not set it: for an option added to an existing owner, the value that behaves as
   * before it existed (a run at the default keeps its id: `lib/experiment/run_id.ts`).
   */
  default: T;
  /** When the schema accepts null: what null means (said in errors). */
  nullMeans?: string;
}

/** An owner's options by config key, each typed by its value. */
export type OptionSchema<O> = { readonly [K in keyof O]-?: OptionSpec<O[K]> };

/** The values of an {@linkcode OptionSchema}'s options. */
export type OptionValues<S> = { -readonly [K in keyof S]: S[K] extends OptionSpec<infer T> ? T : never };

/**
 * Declare an option (the identity: it types `default` by `schema`).
 * @example A loss's own option
 * ```ts
 * import { z } from "zod";
 * import { option } from "./options.ts";
 * const gamma = option({ doc: "the equilibrium ratio γ", schema: z.number().gt(0).lte(1), default: 0.75 });
 * ```
 */
export function option<T>(spec: OptionSpec<T>): OptionSpec<T> {
  return spec;
}

/** Who reads an option. */
export interface OptionOwner {
  of: "loss" | "kind" | "architecture";
  name: string;
}

/** `loss wgan-gp`. */
export function formatOwner(owner: OptionOwner): string {
  return `${owner.of} ${owner.name}`;
}

const declared = new Map<string, { spec: OptionSpec; owners: OptionOwner[] }>();
let reserved: ReadonlySet<string> = new Set();

/** The config's own keys (`lib/experiment/config.ts`): no owner may declare one. */
export function reserveOptionKeys(keys: readonly string[]): void {
  reserved = new Set([...reserved, ...keys]);
}

/**
 * The problem with declaring `options` for `owner`, or null: a core key, or a key another owner declared with
 * another spec (share it by declaring the same spec value).
 */
export function optionConflict(owner: OptionOwner, options: Readonly<Record<string, OptionSpec>>): string | null {
  for (const [key, spec] of Object.entries(options)) {
    if (typeof spec !== "object" || spec === null || typeof spec.schema?.safeParse !== "function") {
      return `option '${key}': expected { doc, schema, default } (a zod schema and its default), got ${typeof spec}`;
    }
    if (!spec.schema.safeParse(spec.default).success) {
      return `option '${key}': its default ${JSON.stringify(spec.default)} is not a value its schema accepts`;
    }
    if (reserved.has(key)) {
      return `option '${key}' is a config key of the harness itself; give the ${owner.of}'s option another name`;
    }
    const known = declared.get(key);
    if (known && known.spec !== spec) {
      return `option '${key}' is declared already by ${known.owners.map(formatOwner).join(" and ")} with another ` +
        `spec; to share it, declare the same value (its owner's options.${key}), or choose another name`;
    }
  }
  return null;
}

/**
 * Declare an owner's options (its register function calls this).
 * @throws {TypeError} for a core key, a default its schema refuses, or a key declared by another owner differently.
 */
export function declareOptions(owner: OptionOwner, options: Readonly<Record<string, OptionSpec>>): void {
  const problem = optionConflict(owner, options);
  if (problem) throw new TypeError(`Cannot register ${owner.of} '${owner.name}': ${problem}`);
  for (const [key, spec] of Object.entries(options)) {
    const known = declared.get(key) ?? { spec, owners: [] };
    if (!known.owners.some((o) => o.of === owner.of && o.name === owner.name)) known.owners.push(owner);
    declared.set(key, known);
  }
}

/** Every declared option, in declaration order, with its spec and owners. */
export function declaredOptions(): ReadonlyMap<string, { spec: OptionSpec; owners: readonly OptionOwner[] }> {
  return declared;
}
