// A module whose default export is a plain `{ fetch }` app, for `tsmicroservice serve`.
export default {
  fetch: (request: Request): Response => new Response(`you asked for ${new URL(request.url).pathname}`),
};
