// What a client needs: the client alone.
export { connect, createClient } from "../../src/client/client.ts";
