// Bundles the extension into dist/extension.js (vscode stays external), or with --tests the unit
// tests into out/test/*.test.js for `node --test`.
import * as esbuild from "esbuild";
import { readdirSync } from "node:fs";

const production = process.argv.includes("--production");
const tests = process.argv.includes("--tests");

const common = { bundle: true, format: "cjs", platform: "node", target: "node18", logLevel: "warning" };

if (tests) {
  const entryPoints = readdirSync("test/unit")
    .filter((name) => name.endsWith(".test.ts"))
    .map((name) => `test/unit/${name}`);
  await esbuild.build({ ...common, entryPoints, outdir: "out/test", sourcemap: "inline" });
} else {
  await esbuild.build({
    ...common,
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    external: ["vscode"],
    minify: production,
    sourcemap: !production,
  });
}
