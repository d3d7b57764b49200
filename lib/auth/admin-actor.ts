/**
 * The proof an admin-only data function demands (docs/ARCHITECTURE.md "Guards live next to the data").
 *
 * An `AdminActor` is a value only two places can make: the admin access policy, after it has resolved the caller
 * to a user whose role is `admin` (lib/auth/policy.ts), and the operator CLI (`systemAdminActor`: whoever runs it
 * already holds the database credentials). Every `*AsAdmin` function takes one and calls `assertAdminActor` first,
 * so a page or handler that forgets the check does not compile, and a hand-made look-alike object
 * (`{ type: "user", id }` cast to the type) is refused at run time too: minted actors are remembered in a WeakSet.
 */
import { ForbiddenError } from "@/lib/http/errors";

declare const adminProof: unique symbol;

/** A verified administrator (or the operator CLI), as the audit log names it. */
export type AdminActor = Readonly<{ type: "user"; id: string } | { type: "system"; id?: undefined }> & { readonly [adminProof]: true };

// On globalThis: Next.js may evaluate a module once per route bundle, and a proof minted by one copy must be
// recognised by another.
const globalForProof = globalThis as unknown as { gatehouseAdminActors?: WeakSet<object> };
const minted = (globalForProof.gatehouseAdminActors ??= new WeakSet<object>());

function mint(actor: { type: "user"; id: string } | { type: "system" }): AdminActor {
  const frozen = Object.freeze({ ...actor });
  minted.add(frozen);
  return frozen as unknown as AdminActor;
}

/**
 * Mints the proof for a user the caller has ALREADY verified to be an admin (a live session whose user has
 * role `admin`). Called only by the admin policy in lib/auth/policy.ts.
 * @param userId the admin's user id (row id)
 */
export function mintAdminActorForVerifiedUser(userId: string): AdminActor {
  return mint({ type: "user", id: userId });
}

/** The operator CLI's actor (`npm run gatehouse`), audited as `system`. Not for request paths. */
export function systemAdminActor(): AdminActor {
  return mint({ type: "system" });
}

/**
 * Refuses to go on without a minted admin actor.
 * @throws ForbiddenError (403) for anything else (a bug: the type system should have caught it)
 */
export function assertAdminActor(actor: AdminActor): void {
  if (typeof actor !== "object" || actor === null || !minted.has(actor)) throw new ForbiddenError("Administrators only.");
}
