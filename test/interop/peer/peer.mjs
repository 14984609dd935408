// An independent ActivityPub server for Kring's interop tests: Fedify with a few in-memory users on
// loopback. It records every activity that reaches its users' inboxes (Fedify verifies the HTTP
// signature before a listener runs) and takes orders from the Go test over a small control API:
// follow, post to a group, like, edit, delete, report, fetch as a user. Users' notes are served at their ids
// so Kring and the other users can fetch them. Its NodeInfo names software Kring does not know, which
// Kring must treat as a microblogging server.
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { createFederation, generateCryptoKeyPair, InProcessMessageQueue, MemoryKvStore } from "@fedify/fedify";
import {
  Accept, Announce, Block, Create, Delete, Endpoints, Event, Flag, Follow, Hashtag, Join, Like, Mention, Note, Person,
  PUBLIC_COLLECTION, Question, Reject, Tombstone, Undo, Update,
} from "@fedify/vocab";

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
      followers: ctx.getFollowersUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: pair.cryptographicKey,
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => {
    const pair = keys.get(identifier);
    return pair ? [pair] : [];
  });

// Nobody follows the peer's users back; the collection exists because a post is addressed to it.
federation.setFollowersDispatcher("/users/{identifier}/followers", () => ({ items: [] }));

// notes are what the users posted, by "user/id"; a deleted note is gone (404).
const notes = new Map();
let serial = 0;

// A direct note (n.direct) is addressed to the group alone, as Mastodon sends a direct message; a
// note may answer another (n.inReplyTo).
const noteOf = (ctx, n) =>
  new Note({
    id: ctx.getObjectUri(Note, { identifier: n.user, id: n.id }),
    attribution: ctx.getActorUri(n.user),
    content: n.html,
    to: n.direct ? n.group : PUBLIC_COLLECTION,
    ccs: n.direct ? [] : [n.group, ctx.getFollowersUri(n.user)],
    tags: [new Mention({ href: n.group, name: n.mention })],
    replyTarget: n.inReplyTo ? new URL(n.inReplyTo) : null,
  });

federation.setObjectDispatcher(Note, "/users/{identifier}/notes/{id}", (ctx, { identifier, id }) => {
  const n = notes.get(`${identifier}/${id}`);
  return n ? noteOf(ctx, n) : null;
});

federation.setNodeInfoDispatcher("/nodeinfo/2.1", () => ({
  software: { name: "fedify-interop-peer", version: "1.0.0" },
  protocols: ["activitypub"],
  usage: { users: { total: users.length }, localPosts: notes.size, localComments: 0 },
}));

// following maps an actor the peer's users follow to those users: activities for them arrive once at
// the shared inbox (Kring delivers to it), and the peer, like any server, files them under each
// local follower of the sender.
const following = new Map();

const received = [];
const record = (kind) => async (ctx, activity) => {
  const entry = {
    type: kind,
    id: activity.id?.href,
    actor: activity.actorId?.href,
    object: activity.objectId?.href ?? null,
    // an embedded activity (Undo{Announce}): its type and its own object
    objectType: null,
    objectObject: null,
    content: activity.content?.toString() ?? null,
    verified: true,
  };
  // Only an Undo's object is read: it embeds what it undoes. Other objects stay ids (an Announce's
  // note is /control/fetch's to fetch; an Accept's Follow is the peer's own).
  if (kind === "Undo") {
    try {
      const object = await activity.getObject();
      entry.object ??= object?.id?.href ?? null;
      entry.objectType = object?.constructor.name ?? null;
      entry.objectObject = object?.objectId?.href ?? null;
    } catch (error) {
      entry.objectType = `unreadable: ${error}`;
    }
  }
  // A Create's note is embedded: record whom it is addressed to and whom it mentions (a direct
  // message is addressed to its recipient alone, and mentions her).
  if (kind === "Create" || kind === "Update") {
    try {
      const note = await activity.getObject();
      entry.object ??= note?.id?.href ?? null;
      entry.objectType = note?.constructor.name ?? null;
      entry.to = note?.toIds.map((iri) => iri.href) ?? [];
      entry.cc = note?.ccIds.map((iri) => iri.href) ?? [];
      entry.mentions = [];
      entry.hashtags = [];
      for await (const tag of note?.getTags() ?? []) {
        if (tag instanceof Mention) entry.mentions.push(tag.href?.href ?? null);
        if (tag instanceof Hashtag) entry.hashtags.push({ name: tag.name?.toString() ?? null, href: tag.href?.href ?? null });
      }
      // Pictures as Fedify read them: what Mastodon shows as media with alt text (the name).
      entry.attachments = [];
      for await (const attachment of note?.getAttachments() ?? []) {
        const url = attachment.url instanceof URL ? attachment.url.href : attachment.url?.href?.href ?? null;
        entry.attachments.push({
          type: attachment.constructor.name, url, mediaType: attachment.mediaType ?? null, name: attachment.name?.toString() ?? null,
          width: attachment.width ?? null, height: attachment.height ?? null,
        });
      }
      // The languages of contentMap, and whether the note hides behind its content warning.
      entry.languages = (note?.contents ?? []).filter((c) => c?.locale != null).map((c) => c.locale.baseName);
      entry.sensitive = note?.sensitive ?? null;
      entry.content = note?.content?.toString() ?? null;
      entry.inReplyTo = note?.replyTargetId?.href ?? null;
      // A poll (the group's RSVP Question): each option's count.
      if (note instanceof Question) {
        entry.poll = {};
        for await (const option of note.getExclusiveOptions()) {
          const replies = await option.getReplies();
          entry.poll[option.name?.toString() ?? ""] = replies?.totalItems ?? null;
        }
      }
      // An Event: what Fedify read of it, to check against what the group published.
      if (note instanceof Event) {
        const place = await note.getLocation();
        entry.event = {
          name: note.name?.toString() ?? null, startTime: note.startTime?.toString() ?? null,
          endTime: note.endTime?.toString() ?? null, location: place?.name?.toString() ?? null, url: note.url?.href ?? null,
        };
      }
    } catch (error) {
      entry.objectType = `unreadable: ${error}`;
    }
  }
  const recipients = ctx.recipient != null ? [ctx.recipient] : sharedInboxRecipients(ctx, activity);
  for (const recipient of recipients.length ? recipients : [null]) received.push({ recipient, ...entry });
};

// sharedInboxRecipients are the local users an activity posted to the shared inbox is for: those
// following its actor and those it names.
function sharedInboxRecipients(ctx, activity) {
  const named = [...activity.toIds, ...activity.ccIds].map((iri) => iri.href);
  const mine = new Set(following.get(activity.actorId?.href) ?? []);
  for (const user of users) if (named.includes(ctx.getActorUri(user).href)) mine.add(user);
  return [...mine];
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Accept, record("Accept"))
  .on(Block, record("Block"))
  .on(Flag, record("Flag"))
  .on(Reject, record("Reject"))
  .on(Announce, record("Announce"))
  .on(Create, record("Create"))
  .on(Update, record("Update"))
  .on(Delete, record("Delete"))
  .on(Like, record("Like"))
  .on(Undo, record("Undo"));

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

let base;

const escapeHTML = (text) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

// noteNamed finds one of user's notes by its id or its IRI.
function noteNamed(user, name) {
  const id = name?.includes("/") ? name.slice(name.lastIndexOf("/") + 1) : name;
  return notes.get(`${user}/${id}`);
}

// activityId is a fresh id for one of user's activities: peers drop repeats.
const activityId = (user, kind) => new URL(`/users/${user}/${kind}/${Date.now()}-${++serial}`, base);

// control answers the Go test: look an object up, follow a group, unfollow, post to a group, edit,
// delete, like, fetch as a user, list what arrived. Controls that send answer 502 when the receiver
// refused the activity (Fedify throws on a non-2xx answer).
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
      const followers = following.get(target.id.href) ?? new Set();
      if (url.pathname === "/control/follow") followers.add(user);
      else followers.delete(user);
      following.set(target.id.href, followers);
      return reply(200, { sent: activity.id.href });
    }
    // post: a public Note mentioning the group, in a Create sent to the group's inbox, as Mastodon
    // posts to a group. message: a direct message to the group instead (to the group alone), in
    // reply to in_reply_to when given.
    case "/control/post":
    case "/control/message": {
      const group = await ctx.lookupObject(url.searchParams.get("group"));
      if (group == null) return reply(404, { error: "group not found" });
      const id = String(++serial);
      const direct = url.pathname === "/control/message";
      const n = {
        user, id, group: group.id, recipient: group, html: `<p>${escapeHTML(url.searchParams.get("text") ?? "")}</p>`,
        mention: `@${group.preferredUsername}@${group.id.host}`, direct, inReplyTo: url.searchParams.get("in_reply_to"),
      };
      notes.set(`${user}/${id}`, n);
      const note = noteOf(ctx, n);
      const create = new Create({
        id: new URL(`${note.id.href}/create`), actor: ctx.getActorUri(user), object: note,
        to: direct ? group.id : PUBLIC_COLLECTION, ccs: note.ccIds,
      });
      await ctx.sendActivity({ identifier: user }, group, create, { immediate: true });
      return reply(200, { id, note: note.id.href, create: create.id.href });
    }
    // join: a Join of an event (looked up first, as event-aware servers do), with a message, sent to
    // the group that organises it. vote: Mastodon's vote in a poll, a Note with the option as name
    // and no content, in reply to the poll, addressed to the group alone.
    case "/control/join": {
      const event = await ctx.lookupObject(url.searchParams.get("event"));
      if (!(event instanceof Event)) return reply(404, { error: "event not found" });
      const group = await ctx.lookupObject(url.searchParams.get("group"));
      if (group == null) return reply(404, { error: "group not found" });
      const join = new Join({
        id: new URL(`/users/${user}/joins/${++serial}`, base), actor: ctx.getActorUri(user), object: event.id,
        content: url.searchParams.get("text") ?? "", to: group.id,
      });
      await ctx.sendActivity({ identifier: user }, group, join, { immediate: true });
      return reply(200, { join: join.id.href });
    }
    case "/control/vote": {
      const group = await ctx.lookupObject(url.searchParams.get("group"));
      if (group == null) return reply(404, { error: "group not found" });
      const id = String(++serial);
      const vote = new Note({
        id: new URL(`/users/${user}/votes/${id}`, base), attribution: ctx.getActorUri(user),
        name: url.searchParams.get("option"), replyTarget: new URL(url.searchParams.get("poll")), to: group.id,
      });
      const create = new Create({ id: new URL(`/users/${user}/votes/${id}/create`, base), actor: ctx.getActorUri(user), object: vote, to: group.id });
      await ctx.sendActivity({ identifier: user }, group, create, { immediate: true });
      return reply(200, { vote: vote.id.href, create: create.id.href });
    }
    case "/control/update": {
      const n = noteNamed(user, url.searchParams.get("note"));
      if (n == null) return reply(404, { error: "no such note" });
      n.html = `<p>${escapeHTML(url.searchParams.get("text") ?? "")}</p>`;
      const note = noteOf(ctx, n);
      const update = new Update({
        id: activityId(user, "updates"), actor: ctx.getActorUri(user), object: note, to: PUBLIC_COLLECTION, ccs: note.ccIds,
      });
      await ctx.sendActivity({ identifier: user }, n.recipient, update, { immediate: true });
      return reply(200, { sent: update.id.href });
    }
    case "/control/delete": {
      const n = noteNamed(user, url.searchParams.get("note"));
      if (n == null) return reply(404, { error: "no such note" });
      notes.delete(`${user}/${n.id}`);
      const noteId = ctx.getObjectUri(Note, { identifier: user, id: n.id });
      const del = new Delete({
        id: activityId(user, "deletes"), actor: ctx.getActorUri(user), object: new Tombstone({ id: noteId }),
        to: PUBLIC_COLLECTION, ccs: [n.group, ctx.getFollowersUri(user)],
      });
      await ctx.sendActivity({ identifier: user }, n.recipient, del, { immediate: true });
      return reply(200, { sent: del.id.href });
    }
    // like: a Like of object sent to the actors in `to` (the group, for Kring to count it); to the
    // object's author when none is named.
    case "/control/like": {
      const object = url.searchParams.get("object");
      const names = url.searchParams.getAll("to");
      if (names.length === 0) names.push((await ctx.lookupObject(object))?.attributionId?.href);
      const recipients = [];
      for (const name of names) {
        const actor = name && (await ctx.lookupObject(name));
        if (actor == null) return reply(404, { error: `recipient ${name} not found` });
        recipients.push(actor);
      }
      const like = new Like({ id: activityId(user, "likes"), actor: ctx.getActorUri(user), object: new URL(object) });
      await ctx.sendActivity({ identifier: user }, recipients, like, { immediate: true });
      return reply(200, { sent: like.id.href });
    }
    // announce: user boosts object, public, as Mastodon does: the Announce goes to the object's
    // author (`to`, the group here) so that it can count the boost.
    case "/control/announce": {
      const to = await ctx.lookupObject(url.searchParams.get("to"));
      if (to == null) return reply(404, { error: "recipient not found" });
      const announce = new Announce({
        id: activityId(user, "announces"), actor: ctx.getActorUri(user), object: new URL(url.searchParams.get("object")),
        to: PUBLIC_COLLECTION, ccs: [to.id, ctx.getFollowersUri(user)],
      });
      await ctx.sendActivity({ identifier: user }, to, announce, { immediate: true });
      return reply(200, { sent: announce.id.href });
    }
    // flag: user reports an account, and its posts, to the server of `to` (a group), as a moderator
    // forwarding a report does: a Flag naming the account first, then the posts, with the reason.
    case "/control/flag": {
      const to = await ctx.lookupObject(url.searchParams.get("to"));
      if (to == null) return reply(404, { error: "recipient not found" });
      const objects = [url.searchParams.get("account"), ...url.searchParams.getAll("post")].map((iri) => new URL(iri));
      const flag = new Flag({
        id: activityId(user, "flags"), actor: ctx.getActorUri(user), objects, content: url.searchParams.get("reason") ?? "",
      });
      await ctx.sendActivity({ identifier: user }, to, flag, { immediate: true });
      return reply(200, { sent: flag.id.href });
    }
    // fetch: user fetches an object with signed requests, as a server with authorized fetch does;
    // Fedify refuses a document whose id is not on the origin it came from.
    case "/control/fetch": {
      const documentLoader = await ctx.getDocumentLoader({ identifier: user });
      const object = await ctx.lookupObject(url.searchParams.get("target"), { documentLoader });
      if (object == null) return reply(404, { error: "not found" });
      return reply(200, {
        type: object.constructor.name,
        id: object.id?.href,
        attributedTo: object.attributionId?.href ?? null,
        content: object.content?.toString() ?? null,
      });
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
    if (url.pathname.startsWith("/control/")) {
      try {
        return await control(url, res);
      } catch (error) {
        // A refused delivery is the test's to report, not the peer's to crash on.
        console.error(`${url.pathname} failed:`, error);
        res.writeHead(502, { "content-type": "application/json" });
        return res.end(JSON.stringify({ error: String(error) }));
      }
    }
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
