import { db } from "@/lib/db";

export interface UserProfile {
  id: string;
  name: string | null;
  email: string | null;
  role: "admin" | "partner";
  createdAt: Date;
  lastSignInAt: Date | null;
  accounts: { provider: string; idpOrganization: string | null }[];
}

const PROVIDER_LABELS: Record<string, string> = { google: "Google Workspace", "microsoft-entra-id": "Microsoft Entra ID" };

/** A human label for an Auth.js provider id. */
export function providerLabel(provider: string): string {
  return PROVIDER_LABELS[provider] ?? provider;
}

/**
 * The signed-in person's own profile: who they are and which identity-provider accounts they sign in with.
 * @returns null when the user no longer exists
 */
export async function getUserProfile(userId: string): Promise<UserProfile | null> {
  return db.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      name: true,
      email: true,
      role: true,
      createdAt: true,
      lastSignInAt: true,
      accounts: { select: { provider: true, idpOrganization: true }, orderBy: { createdAt: "asc" } },
    },
  });
}
