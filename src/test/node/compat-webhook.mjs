// fal's official JS client submits with a webhookUrl through the proxy (run by FalJsWebhookCompatTest with PROXY_URL and
// FAL_KEY); a loopback receiver gets the tenant's webhook and verifies it the way fal documents it, with node:crypto
// only and the proxy's JWKS instead of fal's. Prints one JSON line; the Java test asserts on it and on the ledger.
import { createServer } from "node:http";
import { createHash, createPublicKey, verify } from "node:crypto";
import { createFalClient } from "@fal-ai/client";

const JWKS_URL = process.env.PROXY_URL + "/.well-known/jwks.json"; // fal's: https://rest.alpha.fal.ai/.well-known/jwks.json

// ---- fal's verification steps (docs.fal.ai, "Verifying Your Webhook"), with node:crypto ----
async function fetchJwks() {
  const response = await fetch(JWKS_URL);
  if (!response.ok) throw new Error("JWKS fetch failed: " + response.status);
  return (await response.json()).keys ?? [];
}

async function verifyWebhookSignature(requestId, userId, timestamp, signatureHex, body) {
  const ts = Number.parseInt(timestamp, 10);
  if (!Number.isFinite(ts) || Math.abs(Math.floor(Date.now() / 1000) - ts) > 300) return false;
  if ([requestId, userId, timestamp, signatureHex].some((part) => !part)) return false;
  const message = Buffer.from(
    [requestId, userId, timestamp, createHash("sha256").update(body).digest("hex")].join("\n"),
    "utf-8",
  );
  const signature = Buffer.from(signatureHex, "hex");
  for (const jwk of await fetchJwks()) {
    if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519") continue;
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x }, format: "jwk" });
    if (verify(null, message, key, signature)) return true;
  }
  return false;
}

// ---- the tenant's receiver ----
let resolveDelivery;
const delivered = new Promise((resolve) => { resolveDelivery = resolve; });
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    resolveDelivery({ headers: req.headers, body: Buffer.concat(chunks), url: req.url });
    res.writeHead(204).end();
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const webhookUrl = `http://127.0.0.1:${server.address().port}/fal/webhook?token=tenant-secret`;

const fal = createFalClient({
  credentials: process.env.FAL_KEY,
  proxyUrl: { url: process.env.PROXY_URL + "/api/fal/proxy", when: "always" },
});
const submitted = await fal.queue.submit("fal-ai/flux-1/schnell", {
  input: { prompt: "compat webhook" },
  webhookUrl,
});

const timeout = setTimeout(() => { console.error("no webhook within 60 s"); process.exit(2); }, 60_000);
const delivery = await delivered;
clearTimeout(timeout);
server.close();

const h = delivery.headers; // node lower-cases header names
const args = [h["x-fal-webhook-request-id"], h["x-fal-webhook-user-id"], h["x-fal-webhook-timestamp"],
  h["x-fal-webhook-signature"]];
const verified = await verifyWebhookSignature(...args, delivery.body);
const tamperedBody = await verifyWebhookSignature(...args,
  Buffer.from(delivery.body.toString("utf-8").replace('"OK"', '"ERROR"'), "utf-8"));
const tamperedTimestamp = await verifyWebhookSignature(args[0], args[1], String(Number(args[2]) - 1), args[3],
  delivery.body);
const payload = JSON.parse(delivery.body.toString("utf-8"));

console.log(JSON.stringify({
  requestId: submitted.request_id,
  path: delivery.url,
  headers: { requestId: args[0], userId: args[1], deliveryId: h["x-webhook-delivery-id"] },
  body: { requestId: payload.request_id, status: payload.status, images: payload.payload?.images?.length ?? 0 },
  verified,
  tamperedBody,
  tamperedTimestamp,
}));
