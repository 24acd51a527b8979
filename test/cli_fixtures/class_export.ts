// A module whose default export is a class rather than an instance: `tsmicroservice serve` says so.
export default class NotAnInstance {
  fetch(): Response {
    return new Response("an instance would serve this");
  }
}
