// Drives the chat page in Debian's headless Chromium against a running gateway.
// Usage: node chat.test.mjs --url http://127.0.0.1:PORT/ [--screenshot out.png]
import { chromium } from "playwright-core";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => {
  if (arg.startsWith("--")) pairs.push([arg.slice(2), all[i + 1]]);
  return pairs;
}, []));
const url = args.url || "http://127.0.0.1:8080/";
let passed = 0;
let failed = 0;

async function check(name, body) {
  try {
    await body();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message.split("\n")[0]}`);
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  // playwright gives every launch a fresh temporary profile of its own
});
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
page.setDefaultTimeout(60_000);

try {
  await check("page loads and names the model", async () => {
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById("model").textContent.startsWith("model:"));
    expect((await page.locator(".doc").count()) === 2, "two example documents");
  });

  await check("the example question streams an answer with its windows", async () => {
    await page.click("#send");
    await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("done"));
    const tokens = await page.locator("#answer span.tok").count();
    expect(tokens >= 2, `tokens streamed: ${tokens}`);
    const answer = (await page.textContent("#answer")).trim();
    expect(answer.length > 0, "answer is not empty");
    if (args["expect-answer"]) expect(answer.includes(args["expect-answer"]), `answer '${answer}'`);
    const windows = await page.$$eval("#answer span.tok", (spans) => spans.map((s) => Number(s.dataset.window)));
    expect(windows.every((w) => w >= -1 && w < 2), `windows in range: ${windows}`);
    console.log(`     answer '${answer}' from windows ${JSON.stringify(windows)}`);
  });

  await check("hovering a token highlights its document", async () => {
    const token = page.locator("#answer span.tok").first();
    const window = await token.getAttribute("data-window");
    await token.hover();
    const highlighted = await page.$$eval(".doc.highlight", (docs) => docs.map((d) => d.dataset.index));
    expect(highlighted.length === 1 && highlighted[0] === window, `highlighted ${highlighted} for window ${window}`);
  });

  await check("uploaded files become documents", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "nbce-upload-")), "notes.txt");
    writeFileSync(file, "The favorite color of Omar Diaz is purple.");
    await page.setInputFiles("#file-input", file);
    await page.waitForFunction(() => document.querySelectorAll(".doc").length === 3);
    const text = await page.locator(".doc textarea").nth(2).inputValue();
    expect(text.includes("Omar Diaz is purple"), `third document text: ${text}`);
  });

  // The demo model answers in a few tokens, so Stop is pressed right after Send; the server-side
  // cancel path is covered by the Java CancellationTest, this checks the page's half of it.
  await check("Stop cancels the request in flight", async () => {
    await page.click("#params summary");
    await page.fill("#p-max", "150");
    await page.fill("#p-top-p", "1");
    await page.fill("#p-temp", "1.5");
    await page.fill("#question", "Tell me everything about all these people and their lives, at length.");
    // Send and Stop in one task, so the cancel always arrives while the request is in flight.
    await page.evaluate(() => { document.getElementById("send").click(); document.getElementById("stop").click(); });
    await page.waitForFunction(() => /done|error/.test(document.getElementById("status").textContent), null, { timeout: 15_000 });
    const status = await page.textContent("#status");
    expect(/cancelled/.test(status), `status after stop: ${status}`);
    expect(await page.isDisabled("#stop"), "Stop is disabled again");
    console.log(`     ${status}`);
  });

  await check("a bad parameter shows the server's error and the page stays usable", async () => {
    await page.fill("#p-top-p", "5");
    await page.fill("#p-max", "16");
    await page.fill("#p-temp", "0");
    await page.click("#send");
    await page.waitForSelector("#error:not([hidden])");
    const error = await page.textContent("#error");
    expect(error.includes("top_p"), `error shown: ${error}`);
    await page.fill("#p-top-p", "0.95");
    await page.fill("#question", "What is the secret code of Lena Fischer?");
    await page.click("#send");
    await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("done"));
    expect((await page.locator("#history li").count()) >= 3, "history keeps earlier questions");
  });

  if (args.screenshot) await page.screenshot({ path: args.screenshot, fullPage: true });
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
