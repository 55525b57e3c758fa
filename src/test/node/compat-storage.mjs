// fal's official JS client, unchanged, uploading through the proxy (run by FalJsStorageCompatTest with PROXY_URL and
// FAL_KEY): fal.storage.upload of a Blob, then fal.subscribe on an image-to-video model whose input holds a Blob (the
// client uploads it first and submits its URL). Prints one JSON line with what the client saw; the Java test asserts
// on it, on what the sandbox received and on the ledger.
import { createFalClient } from "@fal-ai/client";

const proxyUrl = { url: process.env.PROXY_URL + "/api/fal/proxy", when: "always" };
const fal = createFalClient({ credentials: process.env.FAL_KEY, proxyUrl });
const out = {};

function pattern(n, seed) {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    bytes[i] = (i * 31 + seed) & 255;
  }
  return bytes;
}

const uploaded = pattern(3000, 7);
const fileUrl = await fal.storage.upload(new Blob([uploaded], { type: "image/png" }));
const back = new Uint8Array(await (await fetch(fileUrl)).arrayBuffer());
out.upload = {
  url: fileUrl,
  same: back.length === uploaded.length && back.every((b, i) => b === uploaded[i]),
  base64: Buffer.from(uploaded).toString("base64"),
};

const image = pattern(5000, 11);
const run = await fal.subscribe("fal-ai/kling-video/v1.6/standard/image-to-video", {
  input: { prompt: "compat storage", image_url: new Blob([image], { type: "image/jpeg" }) },
  mode: "polling",
  pollInterval: 200,
});
out.subscribe = {
  requestId: run.requestId,
  video: Boolean(run.data && run.data.video && run.data.video.url),
  imageBase64: Buffer.from(image).toString("base64"),
};
console.log(JSON.stringify(out));
