/**
 * Command-line flag reading shared by the scripts' CLIs (datagen, eval, expert): iterate the flags of argv,
 * each with readers that consume the argument after it and throw `<flag> needs …` errors.
 * Node only; imports nothing.
 */

/** One flag of argv; its readers consume the next argument as its value. */
export interface Flag {
  readonly name: string;
  /** The next argument; throws `<flag> needs a value` when there is none. */
  value(): string;
  /** The next argument as a finite number (`<flag> needs a number`). */
  number(): number;
  /** The next argument as an integer ≥ `min` (`<flag> needs an integer ≥ min`). */
  integer(min: number): number;
  /** The next argument, one of `allowed` (`<flag> must be one of …`). */
  oneOf<T extends string>(allowed: readonly T[]): T;
}

/** `v` when it is one of `allowed`, else an error naming flag `name` and the allowed values. */
export function oneOf<T extends string>(name: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v))
    throw new Error(`${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** The flags of `argv` in order (a flag's value, once read, is skipped). */
export function* flags(argv: readonly string[]): Generator<Flag> {
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${name} needs a value`);
      return v;
    };
    const number = () => {
      const v = Number(value());
      if (!Number.isFinite(v)) throw new Error(`${name} needs a number`);
      return v;
    };
    const integer = (min: number) => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < min) throw new Error(`${name} needs an integer ≥ ${min}`);
      return v;
    };
    yield {
      name,
      value,
      number,
      integer,
      oneOf: <T extends string>(allowed: readonly T[]) => oneOf(name, value(), allowed),
    };
  }
}
