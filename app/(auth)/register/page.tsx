import type { Metadata } from "next";
import { RegisterForm } from "@/components/auth/register-form.tsx";

export const metadata: Metadata = { title: "Register · Marketlens" };

export default function RegisterPage() {
  return <RegisterForm />;
}
