/**
 * AWS SDK errors → one-line pgferry errors that name the bucket or key and the cause, never a
 * credential. An unreachable endpoint is a ConnectionError (exit 4, like an unreachable
 * database); everything else S3 answers or fails with is a StorageError.
 */
import { ConnectionError, StorageError, type PgferryError } from "../errors.js";

/** What an SDK or network error may carry; read structurally, since several classes throw. */
interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

export interface S3ErrorContext {
  /** What was being done: "list", "read", "write", "delete", "check". */
  readonly action: string;
  readonly bucket: string;
  /** s3://bucket/prefix */
  readonly root: string;
  /** The redacted endpoint, or null for AWS itself. */
  readonly endpoint: string | null;
  /** The key relative to the store, when the action was on one object. */
  readonly key?: string;
}

const AUTH_ERRORS = new Set(["AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "AllAccessDisabled"]);
const NETWORK_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ECONNABORTED"]);

function shapeOf(error: unknown): ErrorShape {
  return typeof error === "object" && error !== null ? (error as ErrorShape) : {};
}

export function httpStatusOf(error: unknown): number | undefined {
  const status = shapeOf(error).$metadata?.httpStatusCode;
  return typeof status === "number" ? status : undefined;
}

export function errorNameOf(error: unknown): string {
  const name = shapeOf(error).name;
  return typeof name === "string" ? name : "Error";
}

/** The first line of an error's message, without trailing punctuation. */
function firstLine(error: unknown): string {
  const message = shapeOf(error).message;
  const text = typeof message === "string" && message.trim() !== "" ? message : String(error);
  return text.split("\n")[0]!.trim().replace(/[.\s]+$/, "");
}

export function mapS3Error(error: unknown, context: S3ErrorContext): PgferryError {
  const name = errorNameOf(error);
  const code = shapeOf(error).code;
  const status = httpStatusOf(error);
  const at = context.endpoint ? ` at ${context.endpoint}` : "";
  const what = context.key === undefined ? `${context.root}${at}` : `${context.key} in ${context.root}${at}`;
  const options = { cause: error };
  if (name === "NoSuchBucket") return new StorageError(`cannot ${context.action} ${what}: bucket "${context.bucket}" does not exist`, options);
  if (name === "NoSuchKey" && context.key !== undefined) return new StorageError(`${context.key} does not exist in ${context.root}`, options);
  if (AUTH_ERRORS.has(name) || status === 403) {
    return new StorageError(
      `cannot ${context.action} ${what}: access denied (${name === "Error" ? `HTTP ${status}` : name}); check the store's accessKeyId and secretAccessKey, or the AWS credentials in the environment`,
      options,
    );
  }
  if (name === "CredentialsProviderError") {
    return new StorageError(
      `cannot ${context.action} ${what}: no AWS credentials found; set accessKeyId and secretAccessKey on the store in pgferry.yml, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
      options,
    );
  }
  if ((typeof code === "string" && NETWORK_CODES.has(code)) || name === "TimeoutError") {
    const server = context.endpoint ?? "AWS S3";
    return new ConnectionError(`cannot reach ${server} to ${context.action} ${context.root}: ${typeof code === "string" ? code : firstLine(error)}`, options);
  }
  const detail = name !== "Error" && name !== "Unknown" ? `${name}: ${firstLine(error)}` : firstLine(error);
  return new StorageError(`cannot ${context.action} ${what}: ${detail}${status !== undefined && status >= 400 ? ` (HTTP ${status})` : ""}`, options);
}
