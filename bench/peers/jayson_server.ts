/**
 * A peer measured beside the library: the `jayson` package's HTTP server, answering the same
 * methods. Listens on 127.0.0.1:$PORT (jayson serves JSON-RPC on every path).
 *
 * @module
 */

import jayson from "jayson";

type Callback = (error: null, result: unknown) => void;

const server = new jayson.Server({
  say_hello: (params: [string], done: Callback) => {
    done(null, `hello ${params[0]}`);
  },
  subtract: (params: [number, number], done: Callback) => {
    done(null, params[0] - params[1]);
  },
});
server.http().listen(Number(process.env["PORT"] ?? 5000), "127.0.0.1", () => {
  console.log("listening");
});
