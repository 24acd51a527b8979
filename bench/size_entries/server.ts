// What a Node.js server needs: the Service class and the node adapter.
export { Service } from "../../src/core/service.ts";
export { RpcError } from "../../src/protocol/errors.ts";
export { serveNode } from "../../src/adapters/node.ts";
