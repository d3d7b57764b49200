import type { ReactNode } from "react";

/** The client portal's frame: no Gatehouse navigation, the client's name, and a clear preview banner. */
export default function PortalLayout({ children }: { children: ReactNode }) {
  return <main id="main" className="mx-auto w-full max-w-4xl px-6 py-10">{children}</main>;
}
