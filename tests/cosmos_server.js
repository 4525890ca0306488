#!/usr/bin/env node
// Local Cosmos DB (NoSQL API) server for tests: @vercel/cosmosdb-server with its known bugs fixed.
//
//   node tests/cosmos_server.js [--port 0] [--host 127.0.0.1] [--tls] [--exit-with-stdin]
//
// Prints one line `READY http://127.0.0.1:<port>/` on stdout once it listens (plain HTTP unless
// --tls). Fixes applied by wrapping the package's route handlers before its router is built:
// - reading a missing document (or one in another partition) answered 500: now 404;
// - transactional batch ignored the partition key header (500), had no Patch operation and did
//   not roll back a failed atomic batch: all three fixed;
// - the account metadata advertised https://<listen address>, so clients doing endpoint
//   discovery (or going through a proxy) were sent elsewhere: now the address the client used;
// - a patch's filter predicate was lowercased as a whole before it ran, so a condition on a
//   camelCase field or on a string with capitals never held: now it runs as written.
"use strict";

const path = require("path");

const PKG = "@vercel/cosmosdb-server/lib";
const load = name => require(path.posix.join(PKG, name));

const readDocument = load("handler/read-document");
const batchDocuments = load("handler/batch-documents");
const readMeta = load("handler/read-meta");
const operations = load("handler/_document-operations");
const patchOperations = load("handler/_patch-operations");
const { parsePartitionKey } = load("utils/get-partition-from-header");
const readJson = load("json").default;

const originalPatch = patchOperations.patchOperation;
// The package lowercases a condition unless it contains "select": hand it a whole query.
function patchOperation(collection, input) {
  const prefix = input.condition && /^\s*from\s+c\s+where\s+/i.exec(input.condition);
  if (!prefix) return originalPatch(collection, input);
  const where = input.condition.slice(prefix[0].length);
  return originalPatch(collection,
    { ...input, condition: `SELECT * FROM c WHERE c.id = @id AND (${where})` });
}
patchOperations.patchOperation = patchOperation;

const NOT_FOUND = {
  code: "NotFound",
  message: "Entity with the specified id does not exist in the system."
};

function partitionHeader(req) {
  const header = req.headers["x-ms-documentdb-partitionkey"];
  return Array.isArray(header) ? header[0] : header;
}

function findDocument(collection, id, partitionKey) {
  try {
    return collection.document(id, parsePartitionKey(partitionKey, id)).read();
  } catch (err) {
    return undefined;
  }
}

const originalRead = readDocument.default;
readDocument.default = (account, req, res, params) => {
  const collection = account.database(params.dbId).collection(params.collId);
  const header = partitionHeader(req);
  if (!collection.read() || (header && !findDocument(collection, params.docId, header))) {
    res.statusCode = 404;
    return { ...NOT_FOUND };
  }
  return originalRead(account, req, res, params);
};

function snapshot(collection, op, partitionKey) {
  const id = op.id || (op.resourceBody && op.resourceBody.id);
  if (!id) return null;
  return { id, partitionKey, before: findDocument(collection, id, partitionKey) };
}

function rollback(collection, snapshots) {
  for (const { id, partitionKey, before } of snapshots.reverse()) {
    const now = findDocument(collection, id, partitionKey);
    if (now) collection.documents.delete(id, parsePartitionKey(partitionKey, id));
    if (before) collection.documents._set(before);
  }
}

function runOperation(collection, op) {
  switch (op.operationType) {
    case "Create": return operations.createOperation(collection, op);
    case "Upsert": return operations.upsertOperation(collection, op);
    case "Read": return operations.readOperation(collection, op);
    case "Delete": return operations.deleteOperation(collection, op);
    case "Replace": return operations.replaceOperation(collection, op);
    case "Patch":
      return patchOperation(collection, {
        id: op.id,
        partitionKey: op.partitionKey,
        ifMatch: op.ifMatch,
        operations: (op.resourceBody && op.resourceBody.operations) || [],
        condition: op.resourceBody && op.resourceBody.condition
      });
    default: return null;
  }
}

batchDocuments.default = async (account, req, res, { dbId, collId }) => {
  const body = await readJson(req);
  const atomic = String(req.headers["x-ms-cosmos-batch-atomic"]).toLowerCase() === "true";
  const continueOnError =
    String(req.headers["x-ms-cosmos-batch-continue-on-error"]).toLowerCase() === "true";
  const collection = account.database(dbId).collection(collId);
  if (!collection.read()) {
    res.statusCode = 404;
    return { ...NOT_FOUND };
  }
  if (!Array.isArray(body)) {
    res.statusCode = 400;
    return { message: "Invalid request body" };
  }
  const header = partitionHeader(req);
  const results = [];
  const snapshots = [];
  let failedAt = -1;
  for (let i = 0; i < body.length; i += 1) {
    const op = { ...body[i], partitionKey: (body[i] && body[i].partitionKey) || header };
    if (failedAt >= 0 && !continueOnError) {
      results.push({ statusCode: 424, requestCharge: 0 });
      continue;
    }
    if (atomic) snapshots.push(snapshot(collection, op, op.partitionKey));
    const result = runOperation(collection, op);
    if (!result) {
      res.statusCode = 400;
      return { message: `Operation type '${op.operationType}' is not supported in Batch.` };
    }
    if (result.statusCode >= 400) {
      if (failedAt < 0) failedAt = i;
      results.push({ statusCode: result.statusCode, requestCharge: 0 });
    } else {
      results.push({
        statusCode: result.statusCode,
        requestCharge: 1,
        eTag: result.body ? result.body._etag : undefined,
        resourceBody: result.body
      });
    }
  }
  if (atomic && failedAt >= 0) {
    rollback(collection, snapshots.filter(Boolean));
    for (let i = 0; i < failedAt; i += 1) results[i] = { statusCode: 424, requestCharge: 0 };
    res.statusCode = 207;
  }
  return results;
};

const originalMeta = readMeta.default;
let serverProtocol = "http";
readMeta.default = (account, req, res, params) => {
  const meta = { ...originalMeta(account, req, res, params) };
  const endpoint = `${serverProtocol}://${req.headers.host}/`;
  const location = { name: "South Central US", databaseAccountEndpoint: endpoint };
  meta.writableLocations = [location];
  meta.readableLocations = [location];
  return meta;
};

function parseArgs(argv) {
  const args = { port: 0, host: "127.0.0.1", tls: false };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === "--port") args.port = parseInt(argv[++i], 10);
    else if (argv[i] === "--host") args.host = argv[++i];
    else if (argv[i] === "--tls") args.tls = true;
    else if (argv[i] === "--exit-with-stdin") args.exitWithStdin = true;
  }
  return args;
}

// Required only now: the router captures the handlers when it is first loaded.
const { createHttpServer, createHttpsServer } = require(PKG);

const args = parseArgs(process.argv.slice(2));
serverProtocol = args.tls ? "https" : "http";
const server = (args.tls ? createHttpsServer : createHttpServer)({ keepAlive: true });
server.listen(args.port, args.host, () => {
  const { port } = server.address();
  process.stdout.write(`READY ${serverProtocol}://${args.host}:${port}/\n`);
});
// Started by a test process with a pipe on stdin: when that process dies, so does this one.
if (args.exitWithStdin) {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
}
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
