// Layout of the sign-in, registration and sign-out pages: one centred card.
import type { ReactNode } from "react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return <main className="auth-page">{children}</main>;
}
