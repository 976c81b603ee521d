// Express servers written the way tutorials and relays write them, for the interop tests.
// Usage: node servers.js [proxy-target-url]. Listens on a free port of 127.0.0.1 and
// prints {"port": N} on its first line once it accepts connections.
"use strict";
const express = require("express");
const compression = require("compression");
const { createProxyMiddleware } = require("http-proxy-middleware");

const WORDS = ["Streams", " arrive", " one", " piece", " at", " a", " time", "."];
const gates = new Map(); // id -> resolve function, released by POST /gate/:id

function gate(id) {
  return new Promise((resolve) => gates.set(id, resolve));
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function chunk(content, finish) {
  const delta = content === null ? {} : { content };
  return { object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] };
}

// The tutorial event stream: GET /events, `data:${str}\n\n` per message, then `data:end`.
// ?drop=N destroys the socket after N messages (no ids, so a reconnect starts over).
function tutorial(req, res) {
  res.setHeader("Content-Type", "text/event-stream");
  res.setHeader("Cache-Control", "no-cache");
  res.setHeader("Connection", "keep-alive");
  res.flushHeaders();
  const drop = req.query.drop === undefined ? -1 : Number(req.query.drop);
  let i = 0;
  const timer = setInterval(() => {
    if (i === drop) {
      clearInterval(timer);
      res.destroy();
    } else if (i < WORDS.length) {
      res.write(`data:${WORDS[i++]}\n\n`);
    } else {
      res.write("data:end\n\n");
      clearInterval(timer);
      res.end();
    }
  }, Number(req.query.interval || 10));
  req.on("close", () => clearInterval(timer));
}

// A relay that writes each upstream chunk as raw JSON.stringify(chunk), back to back,
// with no framing, no Content-Type and no finish_reason, and ends cleanly.
async function relay(req, res) {
  for (const word of WORDS) {
    res.write(JSON.stringify(chunk(word, null)));
    await sleep(5);
  }
  res.end();
}

// An event stream that sends its first message, waits for POST /gate/:id, then the rest.
async function gated(req, res) {
  res.setHeader("Content-Type", "text/event-stream");
  res.setHeader("Cache-Control", "no-cache");
  const released = gate(req.query.id);
  res.write(`data: ${JSON.stringify(chunk(WORDS[0], null))}\n\n`);
  await released;
  for (const word of WORDS.slice(1)) res.write(`data: ${JSON.stringify(chunk(word, null))}\n\n`);
  res.write(`data: ${JSON.stringify(chunk(null, "stop"))}\n\n`);
  res.end("data: [DONE]\n\n");
}

// A short answer paced slowly: ?count messages, ?interval ms apart.
async function paced(req, res) {
  res.setHeader("Content-Type", "text/event-stream");
  const count = Number(req.query.count || 10);
  for (let i = 0; i < count; i++) {
    await sleep(Number(req.query.interval || 120));
    res.write(`data: ${JSON.stringify(chunk(`w${i} `, null))}\n\n`);
  }
  res.end("data: [DONE]\n\n");
}

function streams() {
  const router = express.Router();
  router.get("/events", tutorial);
  router.post("/relay", relay);
  router.get("/gated", gated);
  router.get("/paced", paced);
  return router;
}

const app = express();
app.post("/gate/:id", (req, res) => {
  const release = gates.get(req.params.id);
  gates.delete(req.params.id);
  if (release) release();
  res.status(release ? 204 : 404).end();
});
app.get("/headers", (req, res) => res.json(req.headers));
app.use("/compressed", compression(), streams());
const target = process.argv[2];
if (target) app.use("/proxy", createProxyMiddleware({ target, changeOrigin: true }));
// The same streams again, through the proxy to this very server.
const self = () => `http://127.0.0.1:${server.address().port}`;
app.use("/self-proxy", createProxyMiddleware({ target: "http://127.0.0.1:9", router: self }));
app.use("/", streams());

const server = app.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n");
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
