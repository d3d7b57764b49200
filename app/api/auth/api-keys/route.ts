// The original path; `/auth/api-keys` is canonical (README "API keys") and these are its handlers and policies.
export { GET, POST } from "@/app/auth/api-keys/route";

export const dynamic = "force-dynamic";
