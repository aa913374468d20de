import type { Metadata } from "next";
import { SignInForm } from "@/components/auth/sign-in-form.tsx";

export const metadata: Metadata = { title: "Sign in · Marketlens" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next } = await searchParams;
  return <SignInForm {...(typeof next === "string" ? { next } : {})} />;
}
