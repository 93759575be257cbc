// Lint: typescript-eslint's recommended rules plus the house rules of DESIGN.md —
// pure layers import no I/O, only src/pg imports the driver, only src/cli exits the process.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const io = ["pg", "pg-copy-streams", "node:fs", "node:fs/promises", "node:net", "node:child_process", "node:process", "fs", "child_process"];
const ioPatterns = ["**/pg/*", "**/execute/*", "**/introspect/*", "**/cli/*", "**/config/load-config*"];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "bench/results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", performance: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", Buffer: "readonly", URL: "readonly", AbortController: "readonly", AbortSignal: "readonly", NodeJS: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    files: ["src/model/**", "src/plan/**", "src/ddl/**", "src/sql/**", "src/transform/**"],
    rules: { "no-restricted-globals": ["error", { name: "process", message: "pure layers do not touch the process" }] },
  },
  {
    files: ["src/**"],
    ignores: ["src/pg/**"],
    rules: { "no-restricted-imports": ["error", { paths: [{ name: "pg", message: "only src/pg imports the driver" }, { name: "pg-copy-streams", message: "only src/pg imports the driver" }, { name: "redis", message: "only src/hooks/redis-hook.ts imports the Redis client" }], patterns: [{ group: ["@aws-sdk/*"], message: "only src/storage/s3* imports the AWS SDK" }] }] },
  },
  {
    files: ["src/storage/s3*"],
    rules: { "no-restricted-imports": ["error", { paths: [{ name: "pg", message: "only src/pg imports the driver" }, { name: "redis", message: "only src/hooks/redis-hook.ts imports the Redis client" }] }] },
  },
  {
    files: ["src/hooks/redis-hook.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [{ name: "pg", message: "only src/pg imports the driver" }, { name: "pg-copy-streams", message: "only src/pg imports the driver" }] }] },
  },
  {
    // After the block above, so that for pure files this stricter list wins.
    files: ["src/model/**", "src/plan/**", "src/ddl/**", "src/sql/**", "src/transform/**"],
    rules: { "no-restricted-imports": ["error", { paths: io, patterns: ioPatterns }] },
  },
  {
    files: ["src/**"],
    ignores: ["src/cli/main.ts"],
    rules: {
      "no-restricted-syntax": ["error", { selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']", message: "only src/cli/main.ts calls process.exit" }],
    },
  },
);
