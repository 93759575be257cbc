/**
 * One spelling per host, so that URLs can be compared: lower case without a trailing dot, IPv4
 * in dotted form (`127.1`, `2130706433` and `0x7f000001` are all 127.0.0.1, as the resolver reads
 * them), IPv4-mapped IPv6 as IPv4, and every way of saying "this machine" (loopback addresses,
 * the unspecified address, `localhost`, a Unix socket directory) as `local`.
 */
export function hostKey(host: string): string {
  if (host.startsWith("/")) return LOCAL;
  let key = host.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
  try {
    // The WHATWG parser normalises IPv4 numbers and IPv6 text for http: URLs.
    key = new URL(`http://${key.includes(":") ? `[${key}]` : key}`).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return key;
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(key);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    key = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  const dotted = key.replace(/^::ffff:/, "");
  if (dotted === "localhost" || dotted.endsWith(".localhost") || dotted === "::1" || dotted === "::" || dotted === "0.0.0.0" || dotted.startsWith("127.")) return LOCAL;
  return dotted;
}

export const LOCAL = "local";
