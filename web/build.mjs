// Builds the widget (make web-assets): the chat as dist/chat-<hash>.js (cached for a year: its
// name changes with its content) and the embed script as dist/loader.js, which the web app serves
// as /widget.js with the chat's name and the texts filled in (web_app/site.py). Writes
// dist/manifest.json: {"loader": ..., "chat": ...}.
import { build } from "esbuild";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename } from "node:path";

const common = {
  bundle: true, minify: true, format: "iife", target: ["es2020", "chrome87", "safari14.1", "firefox78"],
  legalComments: "none", loader: { ".css": "text", ".svg": "dataurl" }, logLevel: "warning",
};
rmSync("dist", { recursive: true, force: true });
mkdirSync("dist");
const chat = await build({
  ...common, entryPoints: { chat: "src/chat/main.js" }, outdir: "dist", entryNames: "[name]-[hash]", metafile: true,
});
await build({ ...common, entryPoints: ["src/loader.js"], outfile: "dist/loader.js" });
const chatFile = basename(Object.keys(chat.metafile.outputs)[0]);
writeFileSync("dist/manifest.json", JSON.stringify({ loader: "loader.js", chat: chatFile }) + "\n");
console.log("built dist/loader.js and dist/" + chatFile);
