// A Fedify server used by Entente's tests as an independent ActivityPub
// peer (modules/publicdiplomacy/fedify_test.go). Fedify is maintained
// elsewhere (it runs Ghost's and Hollo's federation), so what it accepts
// and sends is a second opinion on Entente's documents and signatures.
//
//   node peer.mjs <port>
//
// It listens on http://127.0.0.1:<port>, serves one actor, "reader", and
// prints "ready" on stdout. Its inbox records what arrives; a small control
// API lets the Go test make it act:
//
//   POST /control/follow?acct=user@host      WebFinger, then Follow
//   POST /control/reply?to=<note id>&text=…  Create{Note} inReplyTo, mentioning the author
//   POST /control/like?object=<id>           Like
//   GET  /control/state                      what arrived, as JSON
//
// Everything is on loopback and over plain HTTP, hence allowPrivateAddress
// and the https→http rewrite below: both are for tests only.
import http from "node:http";
import { AsyncLocalStorage } from "node:async_hooks";
import { configure, getStreamSink } from "@logtape/logtape";
import { Writable } from "node:stream";
import { Temporal } from "@js-temporal/polyfill"; // Node has no Temporal yet
import {
  createFederation,
  generateCryptoKeyPair,
  MemoryKvStore,
} from "@fedify/fedify";
import {
  Accept,
  Announce,
  Create,
  Delete,
  Endpoints,
  Follow,
  Like,
  Mention,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Reject,
  Update,
} from "@fedify/vocab";

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: node peer.mjs <port>");
  process.exit(2);
}
const origin = `http://127.0.0.1:${port}`;

// Fedify logs through LogTape: warnings and errors go to stderr, which the
// Go test shows when it fails (FEDIFY_PEER_DEBUG=1 for everything).
await configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: { stderr: getStreamSink(Writable.toWeb(process.stderr)) },
  loggers: [
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    { category: "fedify", lowestLevel: process.env.FEDIFY_PEER_DEBUG ? "debug" : "warning", sinks: ["stderr"] },
  ],
});

// WebFinger of an acct: handle always asks https://host/… (as it should on
// the open web). On loopback there is no TLS, so loopback https URLs are
// fetched over http; nothing else is touched.
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  if (/^https:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url)) {
    const plain = "http://" + url.slice("https://".length);
    return realFetch(input instanceof Request ? new Request(plain, input) : plain, init);
  }
  return realFetch(input, init);
};

// What the inbox has seen, for GET /control/state.
const state = {
  followAccepted: false,
  followRejected: false,
  notes: [], // Create{Note}: { id, content, language, inReplyTo, mentions, attributedTo }
  updates: [], // Update{Note}: { id, content }
  deletes: [], // Delete: the deleted object's id
  announces: [], // Announce: the boosted object's id
  errors: [], // inbox listener errors
};
const sentNotes = new Map(); // our replies, served at their ids
let followId = null;

// The actor's keys: RSA for HTTP signatures (what Mastodon and Entente
// verify) and Ed25519 for Object Integrity Proofs, made fresh per run.
const keys = [
  await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
  await generateCryptoKeyPair("Ed25519"),
];

const federation = createFederation({
  kv: new MemoryKvStore(),
  origin,
  allowPrivateAddress: true, // loopback peers, tests only
  // No queue: sendActivity delivers before it returns, so a control call
  // answers only once the other side has the activity (or failed).
});

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== "reader") return null;
    const pairs = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "A Fedify reader",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      followers: ctx.getFollowersUri(identifier),
      publicKey: pairs[0].cryptographicKey,
      assertionMethods: pairs.map((p) => p.multikey),
    });
  })
  .mapHandle((ctx, username) => (username === "reader" ? "reader" : null))
  .setKeyPairsDispatcher((ctx, identifier) => (identifier === "reader" ? keys : []));

// An empty followers collection: Fedify wants one to name in the actor.
federation.setFollowersDispatcher("/users/{identifier}/followers", () => ({ items: [] }));

// Our replies are dereferenceable, as a real server's are.
federation.setObjectDispatcher(Note, "/users/{identifier}/notes/{id}", (ctx, values) =>
  sentNotes.get(values.id) ?? null);

const noteOf = async (activity) => {
  const obj = await activity.getObject();
  return obj instanceof Note ? obj : null;
};

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Accept, async (ctx, accept) => {
    // The Accept must name our Follow by its id (embedded or as a link).
    if (followId != null && accept.objectId?.href === followId) state.followAccepted = true;
  })
  .on(Reject, async (ctx, reject) => {
    if (followId != null && reject.objectId?.href === followId) state.followRejected = true;
  })
  .on(Create, async (ctx, create) => {
    const note = await noteOf(create);
    if (note == null) return;
    const mentions = [];
    for await (const tag of note.getTags()) if (tag instanceof Mention) mentions.push(tag.href?.href);
    state.notes.push({
      id: note.id?.href,
      content: note.content?.toString() ?? "",
      // content and contentMap both expand to as:content; the language is
      // on the tagged one, as Mastodon and Fedify read it.
      language: note.contents.find((c) => c?.locale != null)?.locale.baseName ?? null,
      inReplyTo: note.replyTargetId?.href ?? null,
      mentions,
      attributedTo: note.attributionId?.href ?? null,
    });
  })
  .on(Update, async (ctx, update) => {
    const note = await noteOf(update);
    if (note != null) state.updates.push({ id: note.id?.href, content: note.content?.toString() ?? "" });
  })
  .on(Delete, async (ctx, del) => {
    state.deletes.push(del.objectId?.href);
  })
  .on(Announce, async (ctx, announce) => {
    state.announces.push(announce.objectId?.href);
  })
  .onError((ctx, error) => {
    state.errors.push(String(error));
    console.error("inbox error:", error);
  });

// The control API, for the Go test only.
async function control(req, url) {
  const ctx = federation.createContext(new URL(origin), undefined);
  const me = ctx.getActorUri("reader");
  const sender = { identifier: "reader" };
  const fresh = () => crypto.randomUUID();
  const q = url.searchParams;
  if (req.method === "GET" && url.pathname === "/control/state") return json(200, state);
  if (req.method !== "POST") return json(405, { error: "method" });
  switch (url.pathname) {
    case "/control/follow": {
      const actor = await ctx.lookupObject(q.get("acct")); // WebFinger, then the actor
      if (!(actor instanceof Person) && actor?.inboxId == null) return json(404, { error: "no actor" });
      followId = new URL(`#follows/${fresh()}`, me).href;
      await ctx.sendActivity(sender, actor, new Follow({ id: new URL(followId), actor: me, object: actor.id }));
      return json(200, { actor: actor.id.href, follow: followId });
    }
    case "/control/reply": {
      const target = await ctx.lookupObject(q.get("to"));
      if (!(target instanceof Note)) return json(404, { error: "no note" });
      const author = await target.getAttribution();
      if (author == null) return json(404, { error: "no author" });
      const handle = `@${author.preferredUsername}@${author.id.host}`;
      const id = fresh();
      // Mastodon writes a mention into the text as an h-card link, and
      // names the mentioned actor in tag and cc.
      const note = new Note({
        id: ctx.getObjectUri(Note, { identifier: "reader", id }),
        attribution: me,
        to: PUBLIC_COLLECTION,
        ccs: [author.id, ctx.getFollowersUri("reader")],
        replyTarget: target.id,
        content: `<p><span class="h-card"><a href="${author.url?.href ?? author.id.href}" class="u-url mention">@<span>${author.preferredUsername}</span></a></span> ${escape(q.get("text") ?? "")}</p>`,
        tags: [new Mention({ href: author.id, name: handle })],
        published: Temporal.Now.instant(),
      });
      sentNotes.set(id, note);
      await ctx.sendActivity(sender, author, new Create({
        id: new URL(`${note.id.href}/activity`), actor: me, object: note,
        to: PUBLIC_COLLECTION, ccs: [author.id, ctx.getFollowersUri("reader")],
      }));
      return json(200, { id: note.id.href });
    }
    case "/control/like": {
      const object = await ctx.lookupObject(q.get("object"));
      const author = await object?.getAttribution?.();
      if (author == null) return json(404, { error: "no object or author" });
      const id = new URL(`#likes/${fresh()}`, me);
      await ctx.sendActivity(sender, author, new Like({ id, actor: me, object: object.id }));
      return json(200, { id: id.href });
    }
  }
  return json(404, { error: "no such control" });
}

function escape(s) {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function json(status, v) {
  return new Response(JSON.stringify(v), { status, headers: { "Content-Type": "application/json" } });
}

// Node's http server in front of Fedify's fetch-style handler.
const server = http.createServer(async (req, res) => {
  try {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const url = new URL(req.url, origin);
    const request = new Request(url, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
      body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
    });
    let response;
    try {
      response = url.pathname.startsWith("/control/")
        ? await control(req, url)
        : await federation.fetch(request, { contextData: undefined });
    } catch (e) {
      console.error(`${req.method} ${req.url}:`, e);
      response = json(500, { error: String(e) });
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (e) {
    console.error(e);
    res.destroy();
  }
});

server.listen(port, "127.0.0.1", () => console.log("ready"));
