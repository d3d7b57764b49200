import { redirect } from "next/navigation";
import { homePathFor, requirePageUser } from "@/lib/http/pages";

/** The landing after sign-in: sends each person to where they belong. */
export default async function StartPage() {
  const user = await requirePageUser("/start");
  redirect(homePathFor(user));
}
