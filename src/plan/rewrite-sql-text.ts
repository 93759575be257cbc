/**
 * Small, exact rewrites of server-deparsed SQL text (pg_get_expr, pg_get_indexdef,
 * pg_get_constraintdef) for an older target. They look only at the SQL's own tokens: text inside
 * string literals ('…', E'…', $tag$…$tag$) and quoted identifiers ("…") is never touched. Pure.
 */

/** Where each character of `sql` stands: true inside a literal or a quoted identifier. */
function quotedMask(sql: string): boolean[] {
  const mask = new Array<boolean>(sql.length).fill(false);
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      // E'…' strings take backslash escapes; standard strings and identifiers only a doubled quote.
      const backslashes = ch === "'" && i > 0 && /[eE]/.test(sql[i - 1]!) && (i < 2 || !/[\w$]/.test(sql[i - 2]!));
      let j = i + 1;
      for (; j < sql.length; j++) {
        if (backslashes && sql[j] === "\\") j++;
        else if (sql[j] === ch) {
          if (sql[j + 1] === ch) j++;
          else break;
        }
      }
      for (let k = i; k <= Math.min(j, sql.length - 1); k++) mask[k] = true;
      i = j + 1;
      continue;
    }
    const dollar = ch === "$" && (i === 0 || !/[\w$]/.test(sql[i - 1]!)) ? /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i)) : null;
    if (dollar) {
      const end = sql.indexOf(dollar[0], i + dollar[0].length);
      const stop = end < 0 ? sql.length : end + dollar[0].length;
      for (let k = i; k < stop; k++) mask[k] = true;
      i = stop;
      continue;
    }
    i++;
  }
  return mask;
}

/**
 * Calls of the built-in function `name` (written bare or as `pg_catalog.name`) made calls of
 * `qualifier.name`; null when the text calls no such function.
 */
export function qualifyFunctionCall(sql: string, name: string, qualifier: string): string | null {
  const mask = quotedMask(sql);
  const pattern = new RegExp(`(?:pg_catalog\\.)?${name}\\s*\\(`, "g");
  let out = "";
  let last = 0;
  for (let match = pattern.exec(sql); match; match = pattern.exec(sql)) {
    const at = match.index;
    const before = at > 0 ? sql[at - 1]! : "";
    if (mask[at] || /[\w$."]/.test(before)) continue;
    out += `${sql.slice(last, at)}${qualifier}.${name}(`;
    last = at + match[0].length;
  }
  return last === 0 ? null : out + sql.slice(last);
}

/**
 * The definition with the storage parameter `parameter` left out of its `WITH (…)` list (the
 * whole clause when it was the only one); null when the definition does not set it.
 */
export function withoutStorageParameter(sql: string, parameter: string): string | null {
  const mask = quotedMask(sql);
  const clause = /\sWITH \(/g;
  for (let match = clause.exec(sql); match; match = clause.exec(sql)) {
    if (mask[match.index + 1]) continue;
    const open = match.index + match[0].length - 1;
    const close = matchingParen(sql, open, mask);
    if (close < 0) return null;
    const items = splitTopLevel(sql.slice(open + 1, close), mask.slice(open + 1, close));
    const kept = items.filter((item) => !new RegExp(`^\\s*"?${parameter}"?\\s*=`).test(item));
    if (kept.length === items.length) continue;
    const replacement = kept.length ? ` WITH (${kept.map((k) => k.trim()).join(", ")})` : "";
    return sql.slice(0, match.index) + replacement + sql.slice(close + 1);
  }
  return null;
}

function matchingParen(sql: string, open: number, mask: readonly boolean[]): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    if (mask[i]) continue;
    if (sql[i] === "(") depth++;
    else if (sql[i] === ")" && --depth === 0) return i;
  }
  return -1;
}

function splitTopLevel(text: string, mask: readonly boolean[]): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (mask[i]) continue;
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (text[i] === "," && depth === 0) {
      items.push(text.slice(start, i));
      start = i + 1;
    }
  }
  items.push(text.slice(start));
  return items;
}
