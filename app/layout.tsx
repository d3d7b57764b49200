import type { Metadata } from "next";
import type { ReactNode } from "react";
import { ROOT_BODY_CLASS, SkipLink } from "@/components/root-body";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Gatehouse", template: "%s · Gatehouse" },
  description: "Who gets into the platform: partners, clients, services and AI tools.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className={ROOT_BODY_CLASS}>
        <SkipLink />
        {children}
      </body>
    </html>
  );
}
