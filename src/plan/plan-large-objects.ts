/**
 * Large objects (pg_largeobject) live outside every table and schema; pgferry does not copy them.
 * A source that has some gets one warning naming their count and size, so a run never leaves
 * them behind silently. Pure.
 */
import type { Catalog } from "../model/catalog.js";
import type { Diagnostic } from "../model/diagnostic.js";

export function planLargeObjects(source: Catalog, target: Catalog): Diagnostic[] {
  const objects = source.largeObjects;
  if (!objects || objects.count === 0) return [];
  const size = objects.bytes === null ? "size unknown: the source role may not read pg_largeobject" : `${objects.bytes} bytes`;
  const onTarget = target.largeObjects?.count ? `; the target's ${target.largeObjects.count} are left as they are` : "";
  return [
    {
      level: "warning",
      message: `the source has ${objects.count} large object(s) (${size}): not copied by pgferry (pg_dump -b carries them)${onTarget}`,
    },
  ];
}
