// The original path; `/auth/api-keys/{id}` is canonical (README "API keys") and this is its handler and policy.
export { DELETE } from "@/app/auth/api-keys/[id]/route";

export const dynamic = "force-dynamic";
