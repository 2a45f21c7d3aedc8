import { Codex } from "@agentwire/sdk";

// The model server: OPENAI_BASE_URL, for example the scripted one that comes with the package:
//   npx exec-bridge mock-model --script script.json
const codex = new Codex({ baseUrl: process.env.OPENAI_BASE_URL, apiKey: process.env.CODEX_API_KEY ?? "test" });
const thread = codex.startThread({ skipGitRepoCheck: true });
const turn = await thread.run("Say hello, then list this folder.");

console.log(turn.finalResponse);
console.log(turn.items.map((item) => item.type));
console.log("thread", thread.id, "used", turn.usage);
