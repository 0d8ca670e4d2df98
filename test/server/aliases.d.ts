// The older framework majors the adapters are also tested on, installed under npm aliases
// (package.json: express4, fastify4, hono4-0). Express 4 has no types of its own; its API as used
// here is the same as 5's, so it borrows @types/express. Fastify and Hono ship their own.
declare module 'express4' {
  import express from 'express';
  export default express;
}

declare module 'fastify4' {
  import Fastify from 'fastify';
  export default Fastify;
}

declare module 'hono4-0' {
  export { Hono } from 'hono';
}
