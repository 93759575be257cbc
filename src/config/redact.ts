/**
 * Secrets never reach a log line, error or report: every URL goes through redactUrl, and every
 * text shown to users through redactText, which also hides secrets registered at config load
 * (passwords, URL passwords, PGPASSWORD, `${VAR}` values in secret-bearing fields).
 */
const MASK = "****";

/** Secrets of 3+ characters: replaced wherever they occur. */
const secrets = new Set<string>();
/**
 * Secrets of 1–2 characters. Replacing every occurrence would mangle all output (a password "1"
 * would hide every count of one) while hiding nothing an attacker could not guess anyway. So they
 * are hidden where they stand as a secret: a line (or output of a command) that is only the secret;
 * and, like any secret, in URL userinfo and in `password=…` / `"password": "…"` contexts, which
 * redactText masks whatever their value.
 */
const shortSecrets = new Set<string>();

/** Remember a secret (a password read from config or a URL) so redactText hides it anywhere. */
export function registerSecret(secret: string | undefined): void {
  if (!secret) return;
  for (const variant of new Set([secret, secret.trim(), decodePercent(secret)])) {
    if (variant.length >= 3) secrets.add(variant);
    else if (variant.length > 0) shortSecrets.add(variant);
  }
}

/**
 * Register the password of a URL, also of one that does not parse (whitespace, an unencoded `@`,
 * a bad port) and of one whose password holds a `%` that is no valid percent-encoding.
 */
export function registerUrlSecrets(url: string | undefined): void {
  if (!url) return;
  let parsedPassword: string | null = null;
  try {
    parsedPassword = new URL(url).password;
    registerSecret(parsedPassword);
  } catch {
    /* the raw split below covers it */
  }
  // The password as written too (the parser drops tabs, encodes spaces); for a URL that parsed,
  // only when it has one, else `host:port/db?x=a@b` would look like userinfo.
  if (parsedPassword === "") return;
  const userinfo = splitUserinfo(url);
  if (userinfo?.password) registerSecret(userinfo.password);
}

/** Variables libpq and the AWS SDK read by themselves: pgferry never sees them in a URL or config. */
const SECRET_ENVIRONMENT_VARIABLES = ["PGPASSWORD", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] as const;

export function registerEnvironmentSecrets(env: NodeJS.ProcessEnv): void {
  for (const name of SECRET_ENVIRONMENT_VARIABLES) registerSecret(env[name]);
}

export function redactUrl(url: string): string {
  registerUrlSecrets(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactText(redactUnparsedUrl(url));
  }
  if (parsed.password) parsed.password = MASK;
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass|secret|key|token/i.test(key)) parsed.searchParams.set(key, MASK);
  }
  return redactText(parsed.toString());
}

/**
 * `scheme://user:password@` in text. The password runs to the last `@` of the URL (an unencoded `@`
 * in a password is common), so a URL followed by an address on the same token is over-masked rather
 * than a password half shown. Quotes and whitespace end it.
 */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s"'`<>]*:)[^\s"'`<>]*@/gi;
/** `password=…` (conninfo, query strings, env assignments) whatever the value. */
const SECRET_ASSIGNMENT = /(?<!\w)((?:[A-Za-z_][\w.-]*?)?(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)\w*=)("[^"]*"|'[^']*'|[^\s&;,"']+)/gi;
/** `"password": "…"` in JSON. */
const SECRET_JSON = /("[\w.-]*?(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)[\w.-]*"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;

export function redactText(text: string): string {
  let out = text.replace(URL_PASSWORD, `$1${MASK}@`).replace(SECRET_ASSIGNMENT, `$1${MASK}`).replace(SECRET_JSON, `$1"${MASK}"`);
  // Longest first, so a secret that contains another is hidden whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(MASK);
  }
  if (shortSecrets.size > 0) {
    out = out
      .split("\n")
      .map((line) => (shortSecrets.has(line.trim()) ? line.replace(line.trim(), MASK) : line))
      .join("\n");
  }
  return out;
}

/** A URL that does not parse, with its userinfo password masked. */
function redactUnparsedUrl(url: string): string {
  const parts = splitUserinfo(url);
  if (!parts || parts.password === undefined) return url;
  return `${parts.scheme}${parts.user}:${MASK}@${parts.rest}`;
}

/**
 * `scheme://user:password@rest` split by hand: the user ends at the first `:`, the password at the
 * last `@` (what a parser would call the host may not parse at all).
 */
function splitUserinfo(url: string): { scheme: string; user: string; password?: string; rest: string } | null {
  const match = /^(\s*[a-z][a-z0-9+.-]*:\/\/)([\s\S]*)$/i.exec(url);
  if (!match) return null;
  const [, scheme = "", afterScheme = ""] = match;
  const at = afterScheme.lastIndexOf("@");
  if (at < 0) return null;
  const userinfo = afterScheme.slice(0, at);
  const rest = afterScheme.slice(at + 1);
  const colon = userinfo.indexOf(":");
  if (colon < 0) return { scheme, user: userinfo, rest };
  return { scheme, user: userinfo.slice(0, colon), password: userinfo.slice(colon + 1), rest };
}

function decodePercent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a `%` that is no percent-encoding is part of the password as written
  }
}
