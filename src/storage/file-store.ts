/**
 * A local folder as an object store (file://PATH). Writes go to a temporary name in the same
 * folder and are renamed into place, so a reader never sees a half-written object.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { StorageError } from "../errors.js";
import type { ObjectStore, StoredObject } from "./object-store.js";

export function createFileStore(root: string): ObjectStore {
  const pathOf = (key: string) => {
    const normalized = key.split("/").filter((p) => p !== "" && p !== ".");
    if (normalized.includes("..")) throw new StorageError(`object key "${key}" leaves the store`);
    return join(root, ...normalized);
  };
  const notFound = (key: string, error: unknown) =>
    new StorageError(`${key} does not exist in ${root}`, { cause: error });
  const describe = async (key: string, path: string): Promise<StoredObject> => {
    const info = await stat(path);
    return { key, size: info.size, etag: `${info.size}-${Math.floor(info.mtimeMs)}`, lastModified: info.mtime };
  };
  async function* walk(folder: string): AsyncIterable<string> {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) yield* walk(path);
      else if (entry.isFile() && !entry.name.includes(".pgferry-partial-")) yield path;
    }
  }
  return {
    label: `file://${root}`,
    async put(key, body) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const partial = `${path}.pgferry-partial-${process.pid}`;
      let bytes = 0;
      body.on("data", (chunk: Buffer) => (bytes += chunk.length));
      try {
        await pipeline(body, createWriteStream(partial));
        await rename(partial, path);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
      return bytes;
    },
    async putText(key, text) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const partial = `${path}.pgferry-partial-${process.pid}`;
      await writeFile(partial, text);
      await rename(partial, path);
    },
    async get(key) {
      const path = pathOf(key);
      try {
        await stat(path);
      } catch (error) {
        throw notFound(key, error);
      }
      return createReadStream(path) as Readable;
    },
    async getText(key) {
      try {
        return await readFile(pathOf(key), "utf8");
      } catch (error) {
        throw notFound(key, error);
      }
    },
    async head(key) {
      try {
        return await describe(key, pathOf(key));
      } catch {
        return null;
      }
    },
    async *list(prefix) {
      for await (const path of walk(root)) {
        const key = relative(root, path).split(sep).join("/");
        if (key.startsWith(prefix)) yield await describe(key, path);
      }
    },
    async delete(keys) {
      for (const key of keys) await rm(pathOf(key), { force: true });
      // Leave no empty snapshot folders behind.
      for (const folder of new Set(keys.map((k) => dirname(pathOf(k))))) {
        await rmdir(folder).catch(() => undefined); // only when empty
      }
    },
  };
}
