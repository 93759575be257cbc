// The s3rver child process started by s3-server.ts. Plain JavaScript because s3rver ships no types.
// Run it with `node --openssl-legacy-provider`: s3rver encrypts ListObjectsV2 continuation tokens
// with DES, which OpenSSL 3 only offers through its legacy provider (without it, page 2 is a 500).
// Usage: node --openssl-legacy-provider s3rver-process.mjs DIRECTORY; prints "listening PORT".
import S3rver from "s3rver";
import AWSAccount from "s3rver/lib/models/account.js";

// s3rver knows one access key (S3RVER) and rejects others with InvalidAccessKeyId; it does not
// verify SigV4 signatures. Tests use several credential sets (one per store), so every key is
// accepted, except keys starting with REJECTED, which keep the InvalidAccessKeyId answer testable.
const registry = AWSAccount.registry;
const knownAccount = registry.get.bind(registry);
registry.get = (accessKeyId) =>
  knownAccount(accessKeyId) ?? (String(accessKeyId).startsWith("REJECTED") ? undefined : AWSAccount.DUMMY_ACCOUNT);

const directory = process.argv[2];
if (!directory) throw new Error("usage: s3rver-process.mjs DIRECTORY");
// Port 0: the kernel picks a free port, with no window for another process to take it.
const server = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true, vhostBuckets: false });
const { port } = await server.run();
process.stdout.write(`listening ${port}\n`);
// The parent's pipe closes when it exits, even by SIGKILL: never outlive it.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close().finally(() => process.exit(0)));
