// Copies the repository's vectors/ (every vector file, the schema, ids.txt) and its LICENSE
// into the package, so that the packed tarball carries them and needs nothing from the repository.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const from = join(pkg, "..", "..", "vectors");
const to = join(pkg, "vectors");

rmSync(to, { recursive: true, force: true });
mkdirSync(join(to, "schema"), { recursive: true });
const files = readdirSync(from).filter((f) => f.endsWith(".json"));
if (files.length === 0) throw new Error(`no vector files in ${from}`);
for (const f of [...files, "ids.txt"]) copyFileSync(join(from, f), join(to, f));
copyFileSync(join(from, "schema", "vectors.schema.json"), join(to, "schema", "vectors.schema.json"));
copyFileSync(join(pkg, "..", "..", "LICENSE"), join(pkg, "LICENSE"));
