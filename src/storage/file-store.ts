/**
 * A local folder as an object store (file://PATH). Writes go to a temporary name in the same
 * folder and are renamed into place, so a reader never sees a half-written object. Only ENOENT
 * means "no such object"; any other file-system error (EACCES, ENOTDIR, EIO…) is a StorageError
 * naming the path, with the error as its cause.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
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
  const isInsideRoot = (path: string) => {
    const inside = relative(root, path);
    return inside !== "" && !inside.startsWith("..") && !isAbsolute(inside);
  };
  const isMissing = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
  const failed = (what: string, path: string, error: unknown) =>
    // Node's message starts with the code and ends with the syscall and path: "EACCES: permission denied, stat '/x'".
    new StorageError(`cannot ${what} ${path}: ${(error as Error).message.replace(/, \w+ '.*$/s, "")}`, { cause: error });
  const missingOr = (key: string, what: string, path: string, error: unknown) =>
    isMissing(error) ? new StorageError(`${key} does not exist in ${root}`, { cause: error }) : failed(what, path, error);
  /** Run a file-system call; its errors become StorageErrors naming the path. */
  const attempt = async <T>(what: string, path: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw error instanceof StorageError ? error : failed(what, path, error);
    }
  };
  const describe = async (key: string, path: string): Promise<StoredObject> => {
    const info = await stat(path);
    return { key, size: info.size, etag: `${info.size}-${Math.floor(info.mtimeMs)}`, lastModified: info.mtime };
  };
  async function* walk(folder: string): AsyncIterable<string> {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw failed("list", folder, error);
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) yield* walk(path);
      else if (entry.isFile() && !entry.name.includes(".pgferry-partial-")) yield path;
    }
  }
  /** Folders under `folder` holding no file (only empty folders, or nothing), deepest first; whether `folder` itself is empty. */
  async function findEmpty(folder: string, found: string[]): Promise<boolean> {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return false;
      throw failed("list", folder, error);
    }
    let empty = true;
    for (const entry of entries) {
      if (!entry.isDirectory()) empty = false;
      else if (await findEmpty(join(folder, entry.name), found)) found.push(relative(root, join(folder, entry.name)).split(sep).join("/"));
      else empty = false;
    }
    return empty;
  }
  return {
    label: `file://${root}`,
    async emptyFolders() {
      const found: string[] = [];
      await findEmpty(root, found);
      return found;
    },
    async removeEmptyFolders(folders) {
      const removed: string[] = [];
      // rmdir removes a folder only while it is empty: one that got a file meanwhile stays.
      for (const folder of folders) if (await rmdir(pathOf(folder)).then(() => true, () => false)) removed.push(folder);
      return removed;
    },
    async put(key, body) {
      const path = pathOf(key);
      await attempt("create the folder of", path, () => mkdir(dirname(path), { recursive: true }));
      const partial = `${path}.pgferry-partial-${process.pid}`;
      let bytes = 0;
      body.on("data", (chunk: Buffer) => (bytes += chunk.length));
      try {
        await pipeline(body, createWriteStream(partial));
        await rename(partial, path);
      } catch (error) {
        await rm(partial, { force: true }).catch(() => undefined);
        // An error of the body stream (the dump's own) passes through; file-system errors name the path.
        throw (error as NodeJS.ErrnoException).syscall ? failed("write", path, error) : error;
      }
      return bytes;
    },
    async putText(key, text) {
      const path = pathOf(key);
      await attempt("write", path, async () => {
        await mkdir(dirname(path), { recursive: true });
        const partial = `${path}.pgferry-partial-${process.pid}`;
        await writeFile(partial, text);
        await rename(partial, path);
      });
    },
    async get(key) {
      const path = pathOf(key);
      try {
        await stat(path);
      } catch (error) {
        throw missingOr(key, "read", path, error);
      }
      return createReadStream(path) as Readable;
    },
    async getText(key) {
      const path = pathOf(key);
      try {
        return await readFile(path, "utf8");
      } catch (error) {
        throw missingOr(key, "read", path, error);
      }
    },
    async head(key) {
      const path = pathOf(key);
      try {
        return await describe(key, path);
      } catch (error) {
        if (isMissing(error)) return null;
        throw failed("read", path, error);
      }
    },
    async *list(prefix) {
      for await (const path of walk(root)) {
        const key = relative(root, path).split(sep).join("/");
        if (key.startsWith(prefix)) yield await attempt("read", path, () => describe(key, path));
      }
    },
    async delete(keys) {
      for (const key of keys) await attempt("delete", pathOf(key), () => rm(pathOf(key), { force: true }));
      // Leave no empty snapshot folders behind: each emptied folder, then its parents up to the root.
      const folders = new Set(keys.map((k) => dirname(pathOf(k))));
      for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
        for (let dir = folder; isInsideRoot(dir); dir = dirname(dir)) {
          if (!(await rmdir(dir).then(() => true, () => false))) break; // only when empty
        }
      }
    },
  };
}
