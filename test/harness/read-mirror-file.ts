/**
 * Files of public repositories fetched onto this machine as bare git mirrors
 * (/work/.mirror/<owner>+<name>/repo, or PGFERRY_TEST_MIRROR_DIR). Read at run time and never
 * copied into this repository: the real-schema tests use other projects' schemas, not ours.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** One file of a mirrored repository, with the commit it was read from. */
export interface MirroredFile {
  readonly repo: string;
  readonly path: string;
  readonly commit: string;
  readonly text: string;
}

function mirrorDir(repo: string): string {
  const root = process.env.PGFERRY_TEST_MIRROR_DIR ?? "/work/.mirror";
  return join(root, repo.replace("/", "+"), "repo");
}

/** `path` at `commit` (default: the mirror's HEAD); a missing mirror is one line naming the repository to fetch. */
export async function readMirrorFile(repo: string, path: string, at = "HEAD"): Promise<MirroredFile> {
  const gitDir = mirrorDir(repo);
  if (!existsSync(gitDir)) throw new Error(`no mirror of github:${repo} at ${gitDir}: fetch github:${repo} first (or set PGFERRY_TEST_MIRROR_DIR)`);
  const git = (...args: string[]) => run("git", ["--git-dir", gitDir, ...args], { maxBuffer: 256 * 1024 * 1024 });
  const commit = (await git("rev-parse", "--verify", "--quiet", `${at}^{commit}`).catch(() => ({ stdout: "" }))).stdout.trim();
  if (!commit) throw new Error(`the mirror of github:${repo} at ${gitDir} has no commit ${at}: fetch github:${repo} again`);
  const text = (await git("show", `${commit}:${path}`)).stdout;
  return { repo, path, commit, text };
}
