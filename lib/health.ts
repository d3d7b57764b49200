import { db } from "@/lib/db";
import { ServiceUnavailableError } from "@/lib/http/errors";

/**
 * Runs `SELECT 1` against PostgreSQL.
 * @throws ServiceUnavailableError (503) when the database does not answer
 */
export async function checkDatabase(): Promise<void> {
  try {
    await db.$queryRaw`SELECT 1`;
  } catch (error) {
    throw new ServiceUnavailableError("The database is unavailable.", { cause: error });
  }
}
