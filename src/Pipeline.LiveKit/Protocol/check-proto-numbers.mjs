// Cross-checks livekit_ffi.proto against the generated JS of @livekit/rtc-node@0.13.24 (the engine's own schema).
// Usage (outside the build; needs Node and npm):
//   mkdir /tmp/lk && cd /tmp/lk && npm pack @livekit/rtc-node@0.13.24 && tar xzf *.tgz \
//     && cd package && npm install --no-save --ignore-scripts @bufbuild/protobuf@1.10.1
//   node src/Pipeline.LiveKit/Protocol/check-proto-numbers.mjs /tmp/lk/package
// Prints every message, field, oneof case and enum value that differs in number, and exits 1 if any does.
import { readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const pkg = process.argv[2];
if (!pkg) { console.error("usage: check-proto-numbers.mjs <rtc-node package dir>"); process.exit(2); }

// Index every message and enum type the JS schema defines, by full name.
const types = new Map();
const protoDir = join(pkg, "dist", "proto");
for (const file of readdirSync(protoDir).filter(f => f.endsWith("_pb.js"))) {
  const mod = await import(pathToFileURL(join(protoDir, file)).href);
  for (const value of Object.values(mod)) {
    if (typeof value === "function" && value.typeName && value.fields) types.set(value.typeName, { kind: "message", value });
  }
}
const { proto2 } = await import(pathToFileURL(join(pkg, "node_modules", "@bufbuild", "protobuf", "dist", "esm", "index.js")).href);

// A small parser for our own file: nested messages, fields (incl. oneof cases) and enum values.
const source = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "livekit_ffi.proto"), "utf8")
  .replace(/\/\/.*$/gm, "");
const tokens = source.match(/[A-Za-z_][\w.]*|\d+|[{};=]/g);
const stack = [];
const ours = [];
let failures = 0;
for (let i = 0; i < tokens.length; i++) {
  const t = tokens[i];
  if ((t === "message" || t === "enum") && tokens[i + 2] === "{") {
    stack.push({ kind: t, name: tokens[i + 1] });
    i += 2;
  } else if (t === "oneof" && tokens[i + 2] === "{") {
    stack.push({ kind: "oneof" });
    i += 2;
  } else if (t === "}") {
    stack.pop();
  } else if (tokens[i + 1] === "=" && /^\d+$/.test(tokens[i + 2] ?? "") && stack.length) {
    const scope = stack.filter(s => s.kind !== "oneof").map(s => s.name).join(".");
    ours.push({ owner: `livekit.proto.${scope}`, isEnum: stack.at(-1).kind === "enum", name: t, no: Number(tokens[i + 2]) });
    i += 2;
  }
}

for (const f of ours) {
  let theirs;
  if (f.isEnum) {
    const enumName = f.owner;
    let found;
    for (const { value } of types.values()) {
      for (const field of value.fields.list()) {
        if (field.kind === "enum" && field.T.typeName === enumName) found = field.T;
      }
    }
    if (!found) { console.log(`? enum ${enumName} not reachable from any message (not checked)`); continue; }
    theirs = found.values.find(v => v.name === f.name)?.no;
  } else {
    const type = types.get(f.owner);
    if (!type) { console.log(`MISSING message ${f.owner}`); failures++; continue; }
    theirs = type.value.fields.list().find(x => x.name === f.name)?.no;
  }
  if (theirs !== f.no) { console.log(`MISMATCH ${f.owner}.${f.name}: ours ${f.no}, rtc-node ${theirs}`); failures++; }
}
void proto2;
console.log(`${ours.length} numbers checked, ${failures} differ`);
process.exit(failures ? 1 : 0);
