/**
 * SSRF guard: every refused range (IPv4 and IPv6), the tricky spellings of loopback (decimal, octal, hex,
 * short forms, IPv4-mapped IPv6, localhost names), DNS answers mixing a public and a private address, the
 * admin allowlist (a set or a source asked per check; metadata addresses refused whatever it holds), and non-http schemes. Names are resolved by a fake resolver (no network), except
 * "localhost", which goes through the system resolver (/etc/hosts).
 */
import { describe, expect, it } from "vitest";
import { addressRefusal, checkTarget, isMetadataAddress, parseAllowedHosts, SsrfRefusedError, type HostResolver } from "./ssrf-guard.ts";

const none = new Set<string>();
const fakeDns: Record<string, string[]> = {
  "hooks.example.com": ["93.184.216.34"],
  "v6.example.com": ["2606:4700:4700::1111"],
  "rebind.example.com": ["93.184.216.34", "10.1.2.3"], // one good, one private answer: refused
  "internal.example.com": ["192.168.1.20"],
  "metadata.example.com": ["169.254.169.254"],
};
const resolve: HostResolver = async (hostname) => {
  const answer = fakeDns[hostname];
  if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  return answer.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};

async function refusal(url: string, allowed: ReadonlySet<string> = none): Promise<string> {
  try {
    await checkTarget(url, { allowedHosts: allowed, resolve });
  } catch (error) {
    expect(error).toBeInstanceOf(SsrfRefusedError);
    return (error as SsrfRefusedError).reason;
  }
  return "accepted";
}

describe("addressRefusal", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.0.1", "private"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["100.127.255.255", "carrier-grade NAT"],
    ["169.254.169.254", "link-local"],
    ["169.254.0.1", "link-local"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fc00::1", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["fe80::1", "link-local"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "loopback address (IPv4-mapped)"],
    ["::ffff:169.254.169.254", "link-local address (IPv4-mapped)"],
    ["::ffff:10.0.0.1", "private address (IPv4-mapped)"],
    ["64:ff9b::7f00:1", "NAT64"],
    ["2002:7f00:1::1", "6to4"],
  ])("%s is refused (%s)", (address, label) => {
    expect(addressRefusal(address)).toContain(label);
  });

  it.each(["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:93.184.216.34"])("%s is a public address", (address) => {
    expect(addressRefusal(address)).toBeNull();
  });
});

describe("checkTarget", () => {
  it.each([
    ["http://127.0.0.1/hook", "loopback"],
    ["http://2130706433/hook", "loopback"], // decimal 127.0.0.1
    ["http://0177.0.0.1/hook", "loopback"], // octal
    ["http://0x7f.1/hook", "loopback"], // hex, short form
    ["http://127.1/hook", "loopback"],
    ["http://[::1]:8080/hook", "loopback"],
    ["http://[::ffff:127.0.0.1]/hook", "loopback address (IPv4-mapped)"],
    ["http://[0:0:0:0:0:ffff:7f00:1]/hook", "loopback address (IPv4-mapped)"],
    ["http://169.254.169.254/latest/meta-data/", "link-local"],
    ["http://[fe80::1]/", "link-local"],
    ["http://10.0.0.5:8080/", "private"],
    ["https://192.168.1.1/", "private"],
    ["http://100.64.1.1/", "carrier-grade NAT"],
    ["http://[fd00::1]/", "unique-local"],
    ["http://0.0.0.0/", "unspecified"],
    ["http://internal.example.com/", "private"],
    ["http://metadata.example.com/", "link-local"],
    ["http://rebind.example.com/", "private"],
  ])("refuses %s (%s)", async (url, label) => {
    expect(await refusal(url)).toContain(label);
  });

  it("refuses localhost names by what they resolve to (system resolver)", async () => {
    for (const url of ["http://localhost:9/hook", "http://LOCALHOST./hook"]) {
      await expect(checkTarget(url, { allowedHosts: none })).rejects.toThrow(/loopback/);
    }
  });

  it.each([
    ["ftp://hooks.example.com/x", "scheme ftp:"],
    ["file:///etc/passwd", "scheme file:"],
    ["gopher://hooks.example.com/", "scheme gopher:"],
    ["not a url", "not a valid URL"],
    ["http://user:pass@hooks.example.com/", "credentials"],
    ["http://nowhere.invalid/", "does not resolve"],
  ])("refuses %s (%s)", async (url, label) => {
    expect(await refusal(url)).toContain(label);
  });

  it("accepts public hosts and returns the checked addresses to pin", async () => {
    const target = await checkTarget("https://hooks.example.com/services/T000/B000/XXX", { allowedHosts: none, resolve });
    expect(target.addresses).toEqual([{ address: "93.184.216.34", family: 4 }]);
    expect(target.allowlisted).toBe(false);
    const v6 = await checkTarget("http://v6.example.com/", { allowedHosts: none, resolve });
    expect(v6.addresses).toEqual([{ address: "2606:4700:4700::1111", family: 6 }]);
  });

  it("lets the admin allowlist through, by host name or IP, and nothing else", async () => {
    const allowed = parseAllowedHosts(" internal.example.com, 127.0.0.1 ,[::1]");
    expect([...allowed].sort()).toEqual(["127.0.0.1", "::1", "internal.example.com"]);
    expect(await refusal("http://internal.example.com/", allowed)).toBe("accepted");
    expect(await refusal("http://127.0.0.1:8080/", allowed)).toBe("accepted");
    expect(await refusal("http://[::1]:8080/", allowed)).toBe("accepted");
    expect(await refusal("http://metadata.example.com/", allowed)).toContain("link-local");
    expect(await refusal("http://10.0.0.1/", allowed)).toContain("private");
  });

  it("refuses cloud metadata addresses even when the host is allowlisted", async () => {
    const allowed = parseAllowedHosts("169.254.169.254, metadata.example.com, 100.100.100.200, [fd00:ec2::254], 169.254.170.2");
    for (const url of ["http://169.254.169.254/latest/meta-data/", "http://metadata.example.com/", "http://100.100.100.200/", "http://[fd00:ec2::254]/", "http://169.254.170.2/v2/credentials"]) {
      expect(await refusal(url, allowed)).toMatch(/of cloud metadata services, which no allowlist opens/);
    }
    expect(await refusal("http://[::ffff:169.254.169.254]/", parseAllowedHosts("::ffff:a9fe:a9fe"))).toContain("link-local address (IPv4-mapped)");
    expect(await refusal("http://0xa9.0xfe.0xa9.0xfe/", parseAllowedHosts("169.254.169.254"))).toContain("cloud metadata");
  });

  it("asks an allowlist source on every check, so a changed list applies to the next URL", async () => {
    let current = new Set<string>();
    let asked = 0;
    const source = async () => {
      asked += 1;
      return current;
    };
    await expect(checkTarget("http://10.9.8.7/hook", { allowedHosts: source, resolve })).rejects.toThrow(/private address; ask an admin to allow the host/);
    current = new Set(["10.9.8.7"]);
    await expect(checkTarget("http://10.9.8.7/hook", { allowedHosts: source, resolve })).resolves.toMatchObject({ allowlisted: true });
    expect(asked).toBe(2);
  });
});

describe("isMetadataAddress", () => {
  it.each([
    ["169.254.169.254", true],
    ["169.254.170.2", true],
    ["::ffff:169.254.169.254", true],
    ["fd00:ec2::254", true],
    ["100.100.100.200", true],
    ["192.0.0.192", true],
    ["127.0.0.1", false],
    ["10.0.0.1", false],
    ["fd00:ec2::253", false],
    ["100.100.100.201", false],
    ["not an address", false],
  ])("%s → %s", (address, expected) => {
    expect(isMetadataAddress(address)).toBe(expected);
  });
});
