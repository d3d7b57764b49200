/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and says where the time went: self time by function and by
 * package (next/dist/server/…, react-dom, pg, jose, the app's bundled code, node internals, GC), plus the inclusive
 * time of each package (samples whose stack passes through it). Used by `npm run bench -- --profile`; also runnable on
 * its own: `npx tsx scripts/bench-profile.ts <file.cpuprofile | directory>`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  /** Microseconds since the previous sample. */
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  /** Milliseconds. */
  ms: number;
  /** Share of the busy (non-idle) time, 0–1. */
  share: number;
}

export interface ProfileSummary {
  file: string;
  /** Busy time (all samples except `(idle)`), milliseconds. */
  totalMs: number;
  idleMs: number;
  byPackage: ProfileEntry[];
  /** Inclusive: time of samples whose stack contains the package at least once. */
  byPackageInclusive: ProfileEntry[];
  byFunction: ProfileEntry[];
}

/**
 * Names the "package" a frame belongs to.
 * - `next/dist/compiled/<lib>` and `next/dist/<area>/<part>` for Next's own code (e.g. `next/dist/server/lib`);
 * - `<pkg>` for other node_modules (scoped names kept);
 * - `app bundle (<dist>/server/…)` for Turbopack chunks (our code plus the libraries bundled into it);
 * - `wasm (Prisma query compiler)`, `node internals`, `(garbage collector)`, `(program)`, `(V8 builtins)` for the rest.
 */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(V8 builtins)";
  if (url.startsWith("node:")) return "node internals";
  // The only WebAssembly in the server is Prisma's query compiler (the Rust-free client).
  if (url.startsWith("wasm://")) return "wasm (Prisma query compiler)";
  const file = url.replace(/^file:\/\//, "");
  const compiled = /\/node_modules\/next\/dist\/compiled\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (compiled) return `next/dist/compiled/${compiled[1]!.replace(/\.js$/, "")}`;
  const next = /\/node_modules\/next\/dist\/([^/]+)\/([^/]+)/.exec(file);
  if (next) return `next/dist/${next[1]}/${next[2]!.replace(/\.js$/, "")}`;
  const modules = file.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const parts = file.slice(modules + "/node_modules/".length).split("/");
    return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const dist = /\/(\.next[^/]*)\/server\/(edge\/|app\/|chunks\/)?/.exec(file);
  if (dist) return dist[2] === "edge/" ? `middleware (${dist[1]}/server/edge)` : `app bundle (${dist[1]}/server/${dist[2] ?? ""})`;
  return path.basename(file);
}

function shortUrl(url: string): string {
  const file = url.replace(/^file:\/\//, "");
  const modules = file.lastIndexOf("/node_modules/");
  if (modules >= 0) return file.slice(modules + "/node_modules/".length);
  const dist = file.indexOf("/.next");
  return dist >= 0 ? file.slice(dist + 1) : file;
}

function top(totals: Map<string, number>, busyMs: number, limit: number): ProfileEntry[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, ms]) => ({ name, ms, share: ms / busyMs }));
}

/**
 * Summarises one profile.
 * @param file path of a `.cpuprofile`
 * @param limit how many entries each list keeps
 * @throws Error when the file is not a V8 CPU profile
 */
export function summarizeProfile(file: string, limit = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  if (!Array.isArray(profile.nodes) || !Array.isArray(profile.samples)) throw new Error(`${file} is not a .cpuprofile`);
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const stackPackages = new Map<number, Set<string>>();
  const packagesOnStack = (id: number): Set<string> => {
    let found = stackPackages.get(id);
    if (!found) {
      const node = nodes.get(id)!;
      const above = parent.get(id);
      found = new Set(above === undefined ? [] : packagesOnStack(above));
      if (node.callFrame.url) found.add(packageOf(node.callFrame.url, node.callFrame.functionName));
      stackPackages.set(id, found);
    }
    return found;
  };

  let busy = 0;
  let idle = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    if (functionName === "(idle)") {
      idle += ms;
      return;
    }
    busy += ms;
    const pkg = packageOf(url, functionName);
    self.set(pkg, (self.get(pkg) ?? 0) + ms);
    const fn = url ? `${functionName || "(anonymous)"}  ${shortUrl(url)}:${lineNumber + 1}` : functionName || "(anonymous)";
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    for (const name of packagesOnStack(id)) inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
  });
  return { file: path.basename(file), totalMs: busy, idleMs: idle, byPackage: top(self, busy, limit), byPackageInclusive: top(inclusive, busy, limit), byFunction: top(byFunction, busy, limit) };
}

/** Markdown tables for one summary. */
export function formatProfileSummary(title: string, summary: ProfileSummary): string {
  const table = (heading: string, entries: ProfileEntry[]) =>
    [`| ${heading} | ms | share of busy |`, "| --- | ---: | ---: |", ...entries.map((e) => `| \`${e.name.replaceAll("|", "\\|")}\` | ${e.ms.toFixed(0)} | ${(e.share * 100).toFixed(1)}% |`)].join("\n");
  return [
    `### ${title}`,
    `Busy ${summary.totalMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms.`,
    "",
    "Self time by package:",
    "",
    table("package", summary.byPackage),
    "",
    "Inclusive time by package (stacks passing through it):",
    "",
    table("package", summary.byPackageInclusive),
    "",
    "Self time by function:",
    "",
    table("function", summary.byFunction),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = process.argv[2];
  if (!target) {
    console.error("usage: tsx scripts/bench-profile.ts <file.cpuprofile | directory>");
    process.exit(2);
  }
  const files = statSync(target).isDirectory() ? readdirSync(target).filter((f) => f.endsWith(".cpuprofile")).map((f) => path.join(target, f)) : [target];
  for (const file of files) console.log(`${formatProfileSummary(file, summarizeProfile(file))}\n`);
}
