// The official OpenAI SDK and LangChain JS against a live NBCE gateway, as chat clients use them.
// Run by dev.nbce.launcher.OpenAiClientsTest: node clients.test.mjs --url http://127.0.0.1:PORT --cases cases.json
// cases.json (written by the JUnit test from the tiny-llama reference and the native endpoint):
//   { model, reference: {request, ids, text, prompt_tokens}, conversation: {messages, contexts, ids, prompt_tokens},
//     completion: {prompt, max_tokens, ids, text} }
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { ChatOpenAI } from "@langchain/openai";
import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";

const arg = (name) => process.argv[process.argv.indexOf(name) + 1];
const baseURL = arg("--url") + "/v1";
const cases = JSON.parse(readFileSync(arg("--cases"), "utf8"));
const client = new OpenAI({ baseURL, apiKey: "unused", maxRetries: 0 });
const ref = cases.reference;

const results = [];
async function test(name, body) {
  try {
    await body();
    results.push([name, null]);
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push([name, e]);
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}

/** The reference case as SDK arguments: OpenAI fields plus our extension fields (contexts, nbce). */
const referenceChat = (extra = {}) => ({ model: cases.model, ...ref.request, ...extra });

await test("openai: models.list names the served model", async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids, [cases.model]);
});

await test("openai: chat.completions.create gives the reference ids", async () => {
  const c = await client.chat.completions.create(referenceChat());
  assert.deepEqual(c.nbce.token_ids, ref.ids);
  assert.equal(c.choices[0].message.content, ref.text);
  assert.equal(c.choices[0].message.role, "assistant");
  assert.equal(c.usage.prompt_tokens, ref.prompt_tokens);
});

await test("openai: streamed with stream_options.include_usage", async () => {
  const stream = await client.chat.completions.create(referenceChat({ stream: true, stream_options: { include_usage: true } }));
  let text = "";
  let usage = null;
  let finish = null;
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? "";
      finish = choice.finish_reason ?? finish;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, ref.text);
  assert.ok(finish === "stop" || finish === "length", String(finish));
  assert.equal(usage.prompt_tokens, ref.prompt_tokens);
  assert.equal(usage.completion_tokens, ref.ids.length);
});

await test("openai: the stream helper's final message", async () => {
  const runner = client.chat.completions.stream(referenceChat());
  const done = await runner.finalChatCompletion();
  assert.equal(done.choices[0].message.content, ref.text);
});

await test("openai: content as a list of text parts", async () => {
  const messages = [{ role: "user", content: [{ type: "text", text: ref.request.messages[0].content }] }];
  const c = await client.chat.completions.create(referenceChat({ messages }));
  assert.deepEqual(c.nbce.token_ids, ref.ids);
});

await test("openai: a multi-turn conversation keeps its system message and history", async () => {
  const conv = cases.conversation;
  const c = await client.chat.completions.create({ model: cases.model, messages: conv.messages, contexts: conv.contexts,
    max_completion_tokens: conv.max_tokens, temperature: 0 });
  assert.deepEqual(c.nbce.token_ids, conv.ids);
  assert.equal(c.usage.prompt_tokens, conv.prompt_tokens);
});

await test("openai: OpenAI-defined extras are accepted (penalties 0, user, response_format text, logprobs)", async () => {
  const c = await client.chat.completions.create(referenceChat({ presence_penalty: 0, frequency_penalty: 0, user: "u-1",
    response_format: { type: "text" }, logprobs: true, top_logprobs: 2, store: false, metadata: { run: "ci" } }));
  assert.deepEqual(c.nbce.token_ids, ref.ids);
  const content = c.choices[0].logprobs.content;
  assert.ok(content.length >= ref.ids.length - 1 && content.length <= ref.ids.length, String(content.length));
  for (const entry of content) {
    assert.equal(entry.top_logprobs.length, 2);
    assert.equal(entry.token, entry.top_logprobs[0].token);
    assert.ok(entry.logprob <= 0);
  }
});

await test("openai: max_completion_tokens bounds the answer", async () => {
  const c = await client.chat.completions.create(referenceChat({ max_tokens: undefined, max_completion_tokens: 2 }));
  assert.deepEqual(c.nbce.token_ids, ref.ids.slice(0, 2));
  assert.equal(c.choices[0].finish_reason, ref.ids.length > 2 ? "length" : "stop");
});

await test("openai: a model that is not served is NotFoundError model_not_found", async () => {
  await assert.rejects(client.chat.completions.create(referenceChat({ model: "gpt-4o" })), (e) => {
    assert.ok(e instanceof OpenAI.NotFoundError, String(e));
    assert.equal(e.status, 404);
    assert.equal(e.code, "model_not_found");
    assert.equal(e.type, "invalid_request_error");
    return true;
  });
});

await test("openai: a wrong type is BadRequestError naming the field", async () => {
  await assert.rejects(client.chat.completions.create(referenceChat({ n: "1" })), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    assert.equal(e.param, "n");
    return true;
  });
});

await test("openai: completions.create, whole and streamed", async () => {
  const comp = cases.completion;
  const c = await client.completions.create({ model: cases.model, prompt: comp.prompt, max_tokens: comp.max_tokens, temperature: 0 });
  assert.equal(c.choices[0].text, comp.text);
  assert.deepEqual(c.nbce.token_ids, comp.ids);
  const stream = await client.completions.create({ model: cases.model, prompt: comp.prompt, max_tokens: comp.max_tokens,
    temperature: 0, stream: true });
  let text = "";
  for await (const chunk of stream) for (const choice of chunk.choices) text += choice.text;
  assert.equal(text, comp.text);
});

const langchain = (extra = {}) => new ChatOpenAI({ model: cases.model, apiKey: "unused", temperature: 0,
  maxTokens: ref.request.max_tokens, topP: ref.request.top_p, maxRetries: 0, configuration: { baseURL },
  modelKwargs: { contexts: ref.request.contexts, nbce: ref.request.nbce }, ...extra });

await test("langchain: ChatOpenAI.invoke gives the reference answer", async () => {
  const reply = await langchain().invoke([new HumanMessage(ref.request.messages[0].content)]);
  assert.equal(reply.content, ref.text);
});

await test("langchain: ChatOpenAI.stream gives the same text and usage", async () => {
  let text = "";
  let usage = null;
  for await (const chunk of await langchain().stream([new HumanMessage(ref.request.messages[0].content)])) {
    text += chunk.content;
    if (chunk.usage_metadata) usage = chunk.usage_metadata;
  }
  assert.equal(text, ref.text);
  assert.ok(usage && usage.input_tokens === ref.prompt_tokens, JSON.stringify(usage));
});

await test("langchain: a multi-turn conversation", async () => {
  const conv = cases.conversation;
  const types = { system: SystemMessage, user: HumanMessage, assistant: AIMessage };
  const model = new ChatOpenAI({ model: cases.model, apiKey: "unused", temperature: 0, maxTokens: conv.max_tokens,
    maxRetries: 0, configuration: { baseURL }, modelKwargs: { contexts: conv.contexts } });
  const reply = await model.invoke(conv.messages.map((m) => new types[m.role](m.content)));
  assert.equal(reply.content, conv.text);
});

// Structured output (docs/structured-output.md): the answer must parse and validate whatever the tiny model says.
const Verdict = z.object({ answer: z.enum(["yes", "no", "not stated"]) });

await test("openai: chat.completions.parse with a zod schema gives a parsed, valid answer", async () => {
  const c = await client.chat.completions.parse(referenceChat({ max_tokens: 64,
    response_format: zodResponseFormat(Verdict, "verdict") }));
  const parsed = c.choices[0].message.parsed;
  assert.deepEqual(Verdict.parse(parsed), parsed);
  assert.equal(c.choices[0].message.content, JSON.stringify(parsed), "compact, in the schema's property order");
});

await test("langchain: withStructuredOutput (json schema and json mode) gives a valid object", async () => {
  const schema = await langchain({ maxTokens: 64 }).withStructuredOutput(Verdict, { name: "verdict", method: "jsonSchema" })
    .invoke([new HumanMessage(ref.request.messages[0].content)]);
  assert.deepEqual(Verdict.parse(schema), schema);
  const reply = await langchain({ maxTokens: 64 }).invoke([new HumanMessage(ref.request.messages[0].content)],
    { response_format: { type: "json_object" } });
  assert.equal(typeof JSON.parse(reply.content), "object");
});

// Tools. The tiny model is random: a forced tool choice is what makes its answer a call, so these check that
// every call is valid against the function's parameters and that the parsed call round-trips as history.
// tiny-llama's rows hold 512 tokens of a 1024-token vocabulary: short tools and question, one call per answer
// (at most 80 characters, so within max_tokens whatever tokens the model picks), no contexts.
const weatherParameters = { type: "object", properties: { city: { enum: ["Oslo", "Lima"] },
  days: { type: "integer", minimum: 1, maximum: 7 } }, required: ["city", "days"], additionalProperties: false };
const weatherTool = { type: "function", function: { name: "weather", parameters: weatherParameters } };
const timeTool = { type: "function", function: { name: "time" } };
const question = [{ role: "user", content: "Weather in Oslo?" }];
const toolChat = (extra = {}) => ({ model: cases.model, messages: question, temperature: 0, max_tokens: 100,
  tools: [weatherTool, timeTool], parallel_tool_calls: false, ...extra });

/** A call valid against its function's parameters: asserts it and gives its parsed arguments. */
function validCall(call) {
  assert.equal(call.type, "function");
  assert.match(call.id, /^call_/);
  const args = JSON.parse(call.function.arguments);
  if (call.function.name === "time") {
    assert.deepEqual(args, {});
  } else {
    assert.equal(call.function.name, "weather");
    assert.deepEqual(Object.keys(args).sort(), ["city", "days"]);
    assert.ok(weatherParameters.properties.city.enum.includes(args.city), JSON.stringify(args));
    assert.ok(Number.isInteger(args.days) && args.days >= 1 && args.days <= 7, JSON.stringify(args));
  }
  return args;
}

await test("openai: tool_choice required gives valid calls, streamed the same, that round-trip as history", async () => {
  const c = await client.chat.completions.create(toolChat({ tool_choice: "required" }));
  const message = c.choices[0].message;
  assert.equal(c.choices[0].finish_reason, "tool_calls");
  assert.equal(message.content, null);
  assert.ok(message.tool_calls.length >= 1, JSON.stringify(message));
  message.tool_calls.forEach(validCall);
  const stream = await client.chat.completions.create(toolChat({ tool_choice: "required", stream: true }));
  const streamed = [];
  let finish = null;
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      for (const d of choice.delta.tool_calls ?? []) {
        if (d.id) streamed[d.index] = { id: d.id, type: d.type, function: { name: d.function.name, arguments: "" } };
        streamed[d.index].function.arguments += d.function.arguments ?? "";
      }
      finish = choice.finish_reason ?? finish;
    }
  }
  assert.equal(finish, "tool_calls");
  assert.deepEqual(streamed.map((t) => t.function), message.tool_calls.map((t) => t.function));
  const history = [...question, message,
    ...message.tool_calls.map((t) => ({ role: "tool", tool_call_id: t.id, content: JSON.stringify({ temp: 3 }) }))];
  const next = await client.chat.completions.create(toolChat({ messages: history, tool_choice: "none", max_tokens: 4 }));
  assert.equal(next.choices[0].message.role, "assistant");
  assert.equal(next.choices[0].message.tool_calls, undefined);
});

await test("openai: runTools with tool_choice required runs the function on a valid call", async () => {
  // One completion: a second would carry the call and its result and no longer fit tiny-llama's 512 positions.
  const seen = [];
  const runner = client.chat.completions.runTools(toolChat({ tool_choice: "required",
    tools: [{ type: "function", function: { name: "weather", parameters: weatherParameters, parse: JSON.parse,
      function: (args) => { seen.push(args); return { temp: 3 }; } } }] }),
    { maxChatCompletions: 1 });
  await runner.done();
  assert.equal(seen.length, 1, JSON.stringify(seen));
  validCall({ type: "function", id: "call_x", function: { name: "weather", arguments: JSON.stringify(seen[0]) } });
  const last = runner.messages.slice(-2);
  assert.deepEqual(last.map((m) => m.role), ["assistant", "tool"], JSON.stringify(runner.messages));
  assert.deepEqual(JSON.parse(last[0].tool_calls[0].function.arguments), seen[0]);
  assert.equal(last[1].tool_call_id, last[0].tool_calls[0].id);
});

await test("langchain: bindTools with tool_choice required gives parsed, valid tool calls", async () => {
  const model = new ChatOpenAI({ model: cases.model, apiKey: "unused", temperature: 0, maxTokens: 100, maxRetries: 0,
    configuration: { baseURL } }).bindTools([weatherTool, timeTool], { tool_choice: "required", parallel_tool_calls: false });
  const reply = await model.invoke([new HumanMessage(question[0].content)]);
  assert.deepEqual(reply.invalid_tool_calls ?? [], []);
  assert.ok(reply.tool_calls.length >= 1, JSON.stringify(reply));
  for (const call of reply.tool_calls) {
    validCall({ type: "function", id: call.id, function: { name: call.name, arguments: JSON.stringify(call.args) } });
  }
});

const failed = results.filter(([, e]) => e).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
