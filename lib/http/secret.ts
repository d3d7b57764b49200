import { inspect } from "node:util";

/**
 * Holds a secret in memory (a string, or an object of credentials) so that logging, JSON serialisation or string
 * interpolation of the holder never prints it (docs/ARCHITECTURE.md "Secrets"). Read the value explicitly with
 * `reveal()`.
 */
export class Secret<T = string> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  /** The raw secret. Call only where the secret is used (hashing, sending once to its owner). */
  reveal(): T {
    return this.#value;
  }
  toString(): string {
    return "[REDACTED]";
  }
  toJSON(): string {
    return "[REDACTED]";
  }
  [inspect.custom](): string {
    return "[REDACTED]";
  }
}
