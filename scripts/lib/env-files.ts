/** Paths shared by the dev launcher, the test runner and the benchmark. */
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const DATA_DIR = path.join(ROOT, ".data");
