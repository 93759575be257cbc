/**
 * Secrets never reach a log line, error or report: every URL goes through redactUrl, and every
 * text shown to users through redactText, which also hides secrets registered at config load.
 */
const secrets = new Set<string>();

/** Remember a secret (a password read from config or a URL) so redactText hides it anywhere. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 3) secrets.add(secret);
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) {
      registerSecret(decodeURIComponent(parsed.password));
      parsed.password = "****";
    }
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|key|token/i.test(key)) parsed.searchParams.set(key, "****");
    }
    return parsed.toString();
  } catch {
    return redactText(url);
  }
}

const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]+)@/gi;

export function redactText(text: string): string {
  let out = text.replace(URL_PASSWORD, "$1****@");
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join("****");
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join("****");
  }
  return out;
}
