/** `2026-11-21 05:52 UTC`: unambiguous across locales and stable between server and client. */
export function formatDateTime(value: Date | null | undefined): string {
  if (!value) return "—";
  return `${value.toISOString().replace("T", " ").slice(0, 16)} UTC`;
}

export function formatDate(value: Date | null | undefined): string {
  return value ? value.toISOString().slice(0, 10) : "—";
}
