// REST API over real HTTP: the route handlers on a node:http server, real PostgreSQL and Redis, own namespace.
import { defineApiSuite } from "./api-test-suite.ts";

defineApiSuite(undefined);
