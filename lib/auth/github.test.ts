import { describe, expect, it } from "vitest";
import { isEmailVouchedFor } from "@/lib/partners/organization";
import { verifiedPrimaryEmail } from "@/lib/auth/github";

describe("verifiedPrimaryEmail", () => {
  it("takes only the address GitHub marks both primary and verified", () => {
    expect(verifiedPrimaryEmail([{ email: "Ivy@Hooli.test", primary: true, verified: true }])).toBe("ivy@hooli.test");
    expect(verifiedPrimaryEmail([{ email: "a@x.test", primary: true, verified: false }, { email: "b@x.test", primary: false, verified: true }])).toBeNull();
    expect(verifiedPrimaryEmail({ message: "Requires authentication" })).toBeNull();
    expect(verifiedPrimaryEmail([])).toBeNull();
  });

  it("is what makes a GitHub email vouched for (email_verified set by Gatehouse, never by GitHub's /user)", () => {
    expect(isEmailVouchedFor("github", { email_verified: true })).toBe(true);
    expect(isEmailVouchedFor("github", {})).toBe(false);
  });
});
