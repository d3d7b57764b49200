import { describe, expect, it } from "vitest";
import { ENTRA_CONSUMER_TENANT_ID, claimedEmail, emailDomain, entraUser, identifyOrganization, isEmailVouchedFor } from "@/lib/partners/organization";

const CONTOSO = "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7";

describe("identifyOrganization", () => {
  it("identifies a Google Workspace organisation by hd", () => {
    expect(identifyOrganization("google", { email: "alice@acme.test", hd: "Acme.test" })).toEqual({
      kind: "organization",
      provider: "google",
      organization: "acme.test",
      domain: "acme.test",
      suggestedName: "acme.test",
    });
  });

  it("treats a Google account without hd as personal", () => {
    expect(identifyOrganization("google", { email: "gina@gmail.com" })).toMatchObject({ kind: "personal", domain: "gmail.com" });
  });

  it("identifies an Entra organisation by tid, not by email domain", () => {
    expect(identifyOrganization("microsoft-entra-id", { email: "erin@contoso.test", tid: CONTOSO })).toMatchObject({
      kind: "organization",
      organization: CONTOSO,
      domain: "contoso.test",
    });
  });

  it("treats the Entra consumer tenant and a malformed tid as personal", () => {
    expect(identifyOrganization("microsoft-entra-id", { email: "x@outlook.com", tid: ENTRA_CONSUMER_TENANT_ID }).kind).toBe("personal");
    expect(identifyOrganization("microsoft-entra-id", { email: "x@contoso.test", tid: "../../etc" }).kind).toBe("personal");
  });
});

describe("isEmailVouchedFor", () => {
  it("trusts Google only with email_verified true and Entra only with xms_edov", () => {
    expect(isEmailVouchedFor("google", { email_verified: true })).toBe(true);
    expect(isEmailVouchedFor("google", { email_verified: "true" })).toBe(false);
    expect(isEmailVouchedFor("microsoft-entra-id", { email_verified: true })).toBe(false);
    expect(isEmailVouchedFor("microsoft-entra-id", { xms_edov: true })).toBe(true);
  });
});

describe("emailDomain", () => {
  it("returns the lower-cased domain or null", () => {
    expect(emailDomain("A@B.Example")).toBe("b.example");
    expect(emailDomain("nodomain@")).toBeNull();
    expect(emailDomain(null)).toBeNull();
  });
});

describe("entraUser (the user Auth.js stores for an Entra sign-in)", () => {
  it("stores the email only when Entra vouches for it (xms_edov)", () => {
    expect(entraUser({ sub: "s1", name: "Erin", email: "Erin@Contoso.test", xms_edov: true })).toEqual({ id: "s1", name: "Erin", email: "erin@contoso.test", image: null });
    expect(entraUser({ sub: "s2", name: "Mallory", email: "boss@contoso.test" }).email).toBeNull();
    expect(entraUser({ sub: "s3", email: "boss@contoso.test", xms_edov: false }).email).toBeNull();
    expect(entraUser({ sub: "s4", preferred_username: "upn@contoso.test" })).toEqual({ id: "s4", name: "upn@contoso.test", email: null, image: null });
  });

  it("reads the claimed email from email, else preferred_username, lower-cased", () => {
    expect(claimedEmail({ email: "A@B.test" })).toBe("a@b.test");
    expect(claimedEmail({ preferred_username: "U@B.test" })).toBe("u@b.test");
    expect(claimedEmail({ preferred_username: "not-an-email" })).toBeNull();
    expect(claimedEmail({})).toBeNull();
  });
});
