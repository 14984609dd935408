// An independent ActivityPub server for Kring's interop tests: Fedify with a few in-memory users on
// loopback. It records every activity that reaches its users' inboxes (Fedify verifies the HTTP
// signature before a listener runs) and takes orders from the Go test over a small control API.
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { createFederation, generateCryptoKeyPair, InProcessMessageQueue, MemoryKvStore } from "@fedify/fedify";
import { Accept, Announce, Create, Delete, Endpoints, Follow, Person, Reject, Undo } from "@fedify/vocab";

const users = (process.env.PEER_USERS ?? "alice,bob").split(",");
const keys = new Map();
for (const user of users) keys.set(user, await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"));

const federation = createFederation({
  kv: new MemoryKvStore(),
  queue: new InProcessMessageQueue(),
  allowPrivateAddress: true, // everything runs on loopback in the test
});

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (!keys.has(identifier)) return null;
    const [pair] = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: identifier,
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: pair.cryptographicKey,
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => {
    const pair = keys.get(identifier);
    return pair ? [pair] : [];
  });

const received = [];
const record = (kind) => async (ctx, activity) => {
  const object = activity.objectId ?? (await activity.getObject())?.id;
  received.push({
    recipient: ctx.recipient,
    type: kind,
    id: activity.id?.href,
    actor: activity.actorId?.href,
    object: object?.href ?? null,
    verified: true,
  });
};
federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Accept, record("Accept"))
  .on(Reject, record("Reject"))
  .on(Announce, record("Announce"))
  .on(Create, record("Create"))
  .on(Delete, record("Delete"))
  .on(Undo, record("Undo"));

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

let base;

// control answers the Go test: follow a group, unfollow, look an object up, list what arrived.
async function control(url, res) {
  const ctx = federation.createContext(new URL(base), undefined);
  const reply = (status, body) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const user = url.searchParams.get("actor");
  switch (url.pathname) {
    case "/control/lookup": {
      const object = await ctx.lookupObject(url.searchParams.get("target"));
      if (object == null) return reply(404, { error: "not found" });
      return reply(200, {
        type: object.constructor.name,
        id: object.id?.href,
        preferredUsername: object.preferredUsername ?? null,
        inbox: object.inboxId?.href ?? null,
        sharedInbox: object.endpoints?.sharedInbox?.href ?? null,
        publicKey: (await object.getPublicKey?.())?.id?.href ?? null,
      });
    }
    case "/control/follow":
    case "/control/unfollow": {
      const target = await ctx.lookupObject(url.searchParams.get("target"));
      if (target == null) return reply(404, { error: "target not found" });
      const follow = new Follow({
        id: new URL(`/users/${user}/follows/${encodeURIComponent(target.id.href)}`, base),
        actor: ctx.getActorUri(user),
        object: target.id,
      });
      const activity = url.pathname === "/control/follow"
        ? follow
        : new Undo({ id: new URL(`/users/${user}/undo/${Date.now()}`, base), actor: ctx.getActorUri(user), object: follow });
      await ctx.sendActivity({ identifier: user }, target, activity, { immediate: true });
      return reply(200, { sent: activity.id.href });
    }
    case "/control/received":
      return reply(200, received.filter((r) => !user || r.recipient === user));
    default:
      return reply(404, { error: "no such control" });
  }
}

// With PEER_TLS_CERT and PEER_TLS_KEY the peer serves https (the test's throwaway CA must then be
// in NODE_EXTRA_CA_CERTS, so Fedify trusts Kring's certificate too).
const tls = process.env.PEER_TLS_CERT
  ? { cert: readFileSync(process.env.PEER_TLS_CERT), key: readFileSync(process.env.PEER_TLS_KEY) }
  : null;
const handler = async (req, res) => {
  try {
    const url = new URL(req.url, base);
    if (url.pathname.startsWith("/control/")) return await control(url, res);
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readBody(req);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
      else if (value != null) headers.set(name, value);
    }
    const response = await federation.fetch(new Request(url, { method: req.method, headers, body }), { contextData: undefined });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    console.error("peer request failed:", error);
    res.writeHead(500);
    res.end(String(error));
  }
};
const server = tls ? https.createServer(tls, handler) : http.createServer(handler);

server.listen(0, "127.0.0.1", () => {
  base = `${tls ? "https" : "http"}://127.0.0.1:${server.address().port}`;
  console.log(`ready ${server.address().port}`);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
process.on("SIGTERM", () => process.exit(0));
