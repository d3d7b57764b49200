import { signedInPage } from "@/lib/auth/policies";
import { redirect } from "next/navigation";
import { page, homePathFor } from "@/lib/next/pages";

/** The landing after sign-in: sends each person to where they belong. */
export default page(signedInPage("/start"), async ({ principal: user }) => {
  redirect(homePathFor(user));
});
