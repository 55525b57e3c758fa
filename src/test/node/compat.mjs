// fal's official JS client, unchanged, against the proxy (run by FalJsClientCompatTest with PROXY_URL, FAL_KEY,
// POOR_KEY). Prints one JSON line with what the client saw; the Java test asserts on it and on the ledger.
import { createFalClient } from "@fal-ai/client";

const proxyUrl = { url: process.env.PROXY_URL + "/api/fal/proxy", when: "always" };
const fal = createFalClient({ credentials: process.env.FAL_KEY, proxyUrl });
const out = {};

const subscribed = await fal.subscribe("fal-ai/flux-1/schnell", {
  input: { prompt: "compat subscribe" },
  mode: "polling",
  pollInterval: 200,
  logs: true,
});
out.subscribe = { requestId: subscribed.requestId, images: subscribed.data.images.length };
const streamed = await fal.subscribe("fal-ai/flux-1/schnell", {
  input: { prompt: "compat subscribe streaming", num_images: 2 },
  mode: "streaming",
});
out.subscribeStreaming = { requestId: streamed.requestId, images: streamed.data.images.length };

// a video model too, both ways of waiting (5 s of Kling standard: 0.225 USD at fal, 6,750 credits)
const video = "fal-ai/kling-video/v1.6/standard/text-to-video";
const videoPolled = await fal.subscribe(video, {
  input: { prompt: "compat video polling", duration: "5" },
  mode: "polling",
  pollInterval: 200,
});
out.videoPolling = { requestId: videoPolled.requestId, video: Boolean(videoPolled.data?.video?.url) };
const videoStreamed = await fal.subscribe(video, {
  input: { prompt: "compat video streaming", duration: "5" },
  mode: "streaming",
});
out.videoStreaming = { requestId: videoStreamed.requestId, video: Boolean(videoStreamed.data?.video?.url) };

const submitted = await fal.queue.submit("fal-ai/flux-1/schnell", { input: { prompt: "compat queue" } });
out.submit = { requestId: submitted.request_id, status: submitted.status };
const stream = await fal.queue.streamStatus("fal-ai/flux-1/schnell", { requestId: submitted.request_id, logs: false });
let last;
stream.on("data", (event) => { last = event.status; });
await stream.done();
out.stream = { requestId: stream.requestId, last };
const status = await fal.queue.status("fal-ai/flux-1/schnell", { requestId: submitted.request_id, logs: true });
out.status = status.status;
const result = await fal.queue.result("fal-ai/flux-1/schnell", { requestId: submitted.request_id });
out.result = { requestId: result.requestId, images: result.data.images.length };

// queue.cancel of a job still in the queue (the sandbox keeps it queued for a while): fal removes it, the proxy
// gives its price back
const queued = await fal.queue.submit("fal-ai/flux-1/schnell", { input: { prompt: "compat cancel [sandbox:slow-queue]" } });
await fal.queue.cancel("fal-ai/flux-1/schnell", { requestId: queued.request_id });
out.cancel = { requestId: queued.request_id };

const poor = createFalClient({ credentials: process.env.POOR_KEY, proxyUrl });
try {
  await poor.queue.submit("fal-ai/flux-1/dev", { input: { prompt: "too dear" } });
  out.poor = { error: "none" };
} catch (e) {
  out.poor = { name: e.name, status: e.status, message: e.message };
}
// fal.run: the proxy submits to the queue, waits, and answers the result itself (billed like a queue job)
const ran = await fal.run("fal-ai/flux-1/schnell", { input: { prompt: "sync", num_images: 2 } });
out.sync = { requestId: ran.requestId, images: ran.data.images.length };
// fal.stream: refused before any charge (400 streaming_not_supported); the client's error carries the reason
try {
  const stream = await fal.stream("fal-ai/flux-1/schnell", { input: { prompt: "streamed" } });
  await stream.done();
  out.falStream = { error: "none" };
} catch (e) {
  out.falStream = { status: e.status, message: e.message };
}
console.log(JSON.stringify(out));
