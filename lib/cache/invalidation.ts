/**
 * Cross-instance invalidation for in-process caches (docs/ARCHITECTURE.md "Scale": a cache is allowed only where
 * revocation stays immediate on every instance).
 *
 * PostgreSQL triggers (migration `hot_path_caches`) send `NOTIFY gatehouse_invalidate` when a row that decides access
 * changes: an API key revoked, expired or re-scoped; a partner's status; an OAuth client disabled, re-keyed or
 * re-scoped; a person leaving a partner. The notification is sent at commit, so by the time the change's own request
 * has answered, PostgreSQL is delivering it to every instance. Each instance keeps one listening connection and, on
 * any notification, starts a new *generation*: every cache keyed to the old one is empty at once.
 *
 * Rules a cache follows (lib/api-keys/api-keys.ts, lib/oauth/clients.ts):
 * - it is used only while `cachesLive()`: with no listening connection (not yet connected, lost, reconnecting) every
 *   lookup goes to PostgreSQL, and a reconnection starts a new generation (what happened meanwhile is not missed);
 * - it stores a value read from PostgreSQL only if the generation did not change while the read was in flight
 *   (`generation()` before, `isCurrent(g)` after), so a revocation racing the read is never cached over;
 * - entries also expire after `MAX_ENTRY_AGE_MS`, a bound on any staleness the mechanism did not foresee.
 *
 * Written here rather than taken from a library: it is forty lines around pg's own LISTEN support, and the
 * correctness rules above are Gatehouse's.
 */
import pg from "pg";
import { getConfig } from "@/lib/config";
import { logger } from "@/lib/http/logger";

export const INVALIDATION_CHANNEL = "gatehouse_invalidate";
/** Longest any cached access decision lives, ms, even with no notification. */
export const MAX_ENTRY_AGE_MS = 60_000;
/** Wait before reconnecting a lost listening connection, ms. */
const RECONNECT_DELAY_MS = 1_000;

interface State {
  generation: number;
  live: boolean;
  client: pg.Client | null;
  starting: boolean;
}

// One listener per process, shared by every copy of this module (Next's bundles and the fast lane's sources).
const global = globalThis as unknown as { gatehouseInvalidation?: State };
const state: State = (global.gatehouseInvalidation ??= { generation: 0, live: false, client: null, starting: false });

/** The current generation; pass it to `isCurrent` after a read to know whether the result may be cached. */
export function generation(): number {
  ensureListening();
  return state.generation;
}

/** Whether caches may answer: the listening connection is up (otherwise every lookup reads PostgreSQL). */
export function cachesLive(): boolean {
  ensureListening();
  return state.live;
}

/** Whether no invalidation happened since `seen` was taken (and the listener is still up). */
export function isCurrent(seen: number): boolean {
  return state.live && state.generation === seen;
}

/** Starts a new generation: every cache entry of the old one is gone. Also what a notification does. */
export function invalidateAll(): void {
  state.generation += 1;
}

function ensureListening(): void {
  if (state.client || state.starting || process.env.GATEHOUSE_DISABLE_CACHES === "1") return;
  state.starting = true;
  const client = new pg.Client({ connectionString: getConfig().databaseUrl, connectionTimeoutMillis: 5_000 });
  const lost = (reason: string) => {
    if (state.client !== client) return;
    state.client = null;
    state.live = false;
    invalidateAll();
    logger.warn({ reason }, "cache invalidation listener lost; caches are bypassed until it reconnects");
    client.end().catch(() => {});
    setTimeout(ensureListening, RECONNECT_DELAY_MS).unref();
  };
  client.on("notification", () => invalidateAll());
  client.on("error", (error) => lost(error.message));
  client.on("end", () => lost("connection ended"));
  client
    .connect()
    .then(() => client.query(`LISTEN ${INVALIDATION_CHANNEL}`))
    .then(() => {
      state.client = client;
      // Whatever changed while no one was listening is not known: start afresh.
      invalidateAll();
      state.live = true;
    })
    .catch((error: unknown) => {
      client.end().catch(() => {});
      setTimeout(ensureListening, RECONNECT_DELAY_MS).unref();
      logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, "cache invalidation listener could not connect");
    })
    .finally(() => {
      state.starting = false;
    });
}

/**
 * A small cache of access decisions under the rules above: entries belong to a generation and expire after
 * `MAX_ENTRY_AGE_MS`; at most `maxEntries` (oldest dropped first).
 */
export class GenerationCache<V> {
  #entries = new Map<string, { value: V; generation: number; storedAt: number }>();
  constructor(private readonly maxEntries = 10_000) {}

  /** The cached value, or undefined (also whenever caches are not live). */
  get(key: string): V | undefined {
    if (!cachesLive()) return undefined;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.generation !== state.generation || Date.now() - entry.storedAt > MAX_ENTRY_AGE_MS) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Stores a value read while `seenGeneration` was current; dropped if an invalidation happened meanwhile. */
  set(key: string, value: V, seenGeneration: number): void {
    if (!isCurrent(seenGeneration)) return;
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { value, generation: seenGeneration, storedAt: Date.now() });
  }
}
