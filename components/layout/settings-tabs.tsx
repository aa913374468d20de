/**
 * Tabs between the settings pages (notifications, API keys). A server component: the page says which
 * tab is current.
 */
import Link from "next/link";

const TABS = [
  { href: "/settings/notifications", label: "Notifications" },
  { href: "/settings/api-keys", label: "API keys" },
] as const;

export function SettingsTabs({ current }: { current: (typeof TABS)[number]["href"] }) {
  return (
    <nav className="settings-tabs" aria-label="Settings">
      {TABS.map((tab) => (
        <Link key={tab.href} href={tab.href} aria-current={tab.href === current ? "page" : undefined}>
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
